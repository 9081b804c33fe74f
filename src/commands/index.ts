export {
  ChatHandlers,
  type Buttons,
  type ButtonPress,
  type ChatHandler,
  type ChatTurn,
  type CommandRequest,
  type Passable,
  type ReplyOptions,
  type TextMessage,
} from './chat-handlers.js';
export { CommandRegistry, type CommandSpec } from './command-registry.js';
