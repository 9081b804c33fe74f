export { copyForms, eraseTextCopies, eraseUpdateCopies, ERASED } from './erase-copies.js';
