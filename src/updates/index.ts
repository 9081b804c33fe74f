export { storeBatch, pendingItems, countPending, pruneInbox, finishUpdate, OFFSET_SETTING, type InboxItem } from './inbox-repo.js';
export { UpdateDispatcher, type DispatcherOptions } from './dispatcher.js';
export { orderingKey, updateKind } from './update-key.js';
