export { TerminalChannel, TERMINAL_CHAT_ID, TERMINAL_PROMPT, type TerminalChannelOptions } from './terminal-channel.js';
export { createTerminalReplyChannel, routeTerminalReplies } from './terminal-reply-channel.js';
