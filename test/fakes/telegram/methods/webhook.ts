// setWebhook / deleteWebhook / getWebhookInfo, minimal: the fake never calls the webhook URL; it
// only models how a set webhook blocks getUpdates. Success answers carry the same `description`
// as telegram-bot-api (Client::process_set_webhook_query / do_set_webhook).
import { badRequest, TERMINATED_BY_SET_WEBHOOK } from '../api-error.js';
import type { FakeState } from '../fake-state.js';
import { boolArg, jsonArg, stringArg } from '../request-args.js';
import type { Payload } from '../wire-types.js';

/** A successful answer that also carries a `description`, as the webhook methods' answers do. */
export class Described {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

function applyAllowed(state: FakeState, payload: Payload): void {
  const allowed = jsonArg(payload, 'allowed_updates', 'allowed_updates');
  if (Array.isArray(allowed)) state.queue.setAllowed(allowed.filter((t): t is string => typeof t === 'string'));
}

export function setWebhook(state: FakeState, payload: Payload): Described {
  const url = stringArg(payload, 'url');
  if (url === '') return deleteWebhook(state, payload);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest('invalid webhook URL specified');
  }
  if (parsed.protocol !== 'https:') throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
  const dropPending = boolArg(payload, 'drop_pending_updates');
  if (state.webhook?.url === url && !dropPending) {
    applyAllowed(state, payload);
    return new Described(true, 'Webhook is already set');
  }
  state.poll.abortWaiting(TERMINATED_BY_SET_WEBHOOK);
  if (dropPending) state.queue.clear();
  applyAllowed(state, payload);
  const secret = stringArg(payload, 'secret_token');
  state.webhook = { url, secretToken: secret === '' ? undefined : secret, setAt: state.now() };
  return new Described(true, 'Webhook was set');
}

export function deleteWebhook(state: FakeState, payload: Payload): Described {
  if (boolArg(payload, 'drop_pending_updates')) state.queue.clear();
  const wasSet = state.webhook !== undefined;
  state.webhook = undefined;
  return new Described(true, wasSet ? 'Webhook was deleted' : 'Webhook is already deleted');
}

export function getWebhookInfo(state: FakeState): Record<string, unknown> {
  const info: Record<string, unknown> = {
    url: state.webhook?.url ?? '',
    has_custom_certificate: false,
    pending_update_count: state.queue.size,
  };
  if (state.webhook !== undefined) {
    info['max_connections'] = 40;
    const allowed = state.queue.allowedUpdates;
    if (allowed.length > 0) info['allowed_updates'] = allowed;
  }
  return info;
}
