export {
  storeBatch,
  pendingItems,
  countPending,
  pruneInbox,
  finishUpdate,
  finishUpdates,
  OFFSET_SETTING,
  type InboxItem,
  type StoredBatch,
  type UnstorableUpdate,
  type UpdateOutcome,
  type UpdateFinish,
} from './inbox-repo.js';
export { UpdateDispatcher, type DispatcherOptions } from './dispatcher.js';
export type { InboxUpdate } from './inbox-update.js';
export { orderingKey, updateKind } from './update-key.js';
