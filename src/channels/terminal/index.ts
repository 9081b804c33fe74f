export { TerminalChannel, TERMINAL_CHAT_ID, type TerminalChannelOptions } from './terminal-channel.js';
