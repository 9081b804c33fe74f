export { escapeHtml } from './escape.js';
export { markdownToTelegramHtml } from './markdown-to-html.js';
export { htmlToPlainText, visibleLength } from './plain-text.js';
export { splitTelegramHtml, splitPlainText, TELEGRAM_MESSAGE_LIMIT } from './split.js';
export { renderForTelegram, type TelegramRender } from './render.js';
export { isEntityParseError } from './entity-parse-error.js';
