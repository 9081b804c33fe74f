export type { ContextItem, ContextProvider, GatheredContext } from './context-provider.js';
