import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { requiredModelFiles } from '../memory/embedder/index.js';
import { fail, ok, warn, type CheckResult } from './check-result.js';
import { field, probeJson } from './http-probe.js';

/** Telegram: the token (getMe), the webhook (getWebhookInfo), and another poller (409 on getUpdates). */
export async function checkTelegram(config: Config, localDaemonPid: number | undefined): Promise<CheckResult[]> {
  const token = config.telegram.token;
  if (!token) return [warn('Telegram', 'TELEGRAM_BOT_TOKEN is not set: only the terminal channel runs', 'create a bot with @BotFather and set TELEGRAM_BOT_TOKEN in .env')];
  const base = `${config.telegram.apiRoot}/bot${token}`;
  const me = await probeJson(`${base}/getMe`);
  if (!me.ok) return [fail('Telegram', `${new URL(config.telegram.apiRoot).host} unreachable (${me.reason})`, 'check the network, or TELEGRAM_API_ROOT')];
  if (me.status === 401 || me.status === 404) return [fail('Telegram', 'the bot token is rejected (401 Unauthorized)', 'copy the token again from @BotFather (/token) into TELEGRAM_BOT_TOKEN')];
  if (field(me.body, 'ok') !== true) return [fail('Telegram', `getMe answered ${me.status}: ${String(field(me.body, 'description') ?? '')}`, 'check TELEGRAM_BOT_TOKEN')];
  const results = [ok('Telegram', `bot @${String(field(me.body, 'result', 'username'))}`)];
  const hook = await probeJson(`${base}/getWebhookInfo`);
  const url = hook.ok ? field(hook.body, 'result', 'url') : undefined;
  if (typeof url === 'string' && url !== '') {
    results.push(warn('Telegram webhook', `a webhook is set (${new URL(url).host}); openzero polls and deletes it at start`, 'if another service uses this bot through that webhook, give openzero its own bot'));
  } else if (hook.ok) {
    results.push(ok('Telegram webhook', 'none set'));
  }
  if (localDaemonPid !== undefined) {
    results.push(ok('Telegram polling', `the openzero daemon on this machine (pid ${localDaemonPid}) is the poller; not probed, so it is not interrupted`));
  } else {
    const poll = await probeJson(`${base}/getUpdates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ limit: 1, timeout: 0 }) });
    if (poll.ok && poll.status === 409) {
      results.push(fail('Telegram polling', `another instance is polling with this token (409: ${String(field(poll.body, 'description') ?? '')})`, 'stop the other openzero (another server, a laptop, a container) or give it its own bot'));
    } else if (poll.ok && field(poll.body, 'ok') === true) {
      results.push(ok('Telegram polling', 'nobody else is polling with this token'));
    }
  }
  return results;
}

/** Ollama: reachable, the model pulled, and its context against OLLAMA_NUM_CTX (from /api/show). */
export async function checkOllama(config: Config): Promise<CheckResult[]> {
  const { baseUrl, model, numCtx } = config.ollama;
  const tags = await probeJson(`${baseUrl}/api/tags`);
  if (!tags.ok) return [fail('Ollama', `not reachable at ${baseUrl} (${tags.reason})`, 'start it (systemctl start ollama, or docker compose up -d ollama), or fix OLLAMA_BASE_URL')];
  const names = (field(tags.body, 'models') as unknown[] | undefined ?? []).map((entry) => String(field(entry, 'name') ?? ''));
  const wanted = model.includes(':') ? model : `${model}:latest`;
  if (!names.includes(wanted)) return [fail('Ollama', `model ${model} is not pulled (have: ${names.join(', ') || 'none'})`, `ollama pull ${model}`)];
  const show = await probeJson(`${baseUrl}/api/show`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model }) });
  const info = show.ok ? field(show.body, 'model_info') : undefined;
  const contextKey = info && typeof info === 'object' ? Object.keys(info).find((key) => key.endsWith('.context_length')) : undefined;
  const context = contextKey ? Number(field(info, contextKey)) : undefined;
  if (context === undefined || !Number.isFinite(context)) return [ok('Ollama', `${model} pulled (context length not reported)`), warn('Ollama context', 'the model does not report its context length', `keep OLLAMA_NUM_CTX (${numCtx}) at or below the model card's context`)];
  if (numCtx > context) return [ok('Ollama', `${model} pulled`), fail('Ollama context', `OLLAMA_NUM_CTX=${numCtx} is more than ${model}'s context of ${context}`, `set OLLAMA_NUM_CTX=${context} or less`)];
  return [ok('Ollama', `${model} pulled; context ${numCtx} of ${context}`)];
}

/** The embedding model's files under MODELS_DIR. */
export function checkEmbeddingModel(config: Config): CheckResult {
  const folder = path.join(config.embedding.modelsDir, config.embedding.model);
  const missing = requiredModelFiles(false).filter((file) => !fs.existsSync(path.join(folder, file)));
  if (missing.length === 0) return ok('Embedding model', `${config.embedding.model} in ${folder}`);
  if (config.embedding.allowRemote) return warn('Embedding model', `${missing.join(', ')} missing in ${folder}; downloaded from Hugging Face on first use`, 'nothing to do, or pre-fetch it with /reindex once online');
  return fail('Embedding model', `${missing.join(', ')} missing in ${folder} and ALLOW_REMOTE_MODELS=false`, `copy the model into ${folder}, or set ALLOW_REMOTE_MODELS=true once`);
}

/** The vector size of the default MiniLM model. */
const MINILM_DIMENSION = 384;

/** Qdrant, when configured: the API key accepted, the collection and its vector size. */
export async function checkQdrant(config: Config): Promise<CheckResult> {
  if (!config.qdrant) return ok('Qdrant', 'not configured: vectors stay in the database');
  const { url, apiKey, collection } = config.qdrant;
  const res = await probeJson(`${url}/collections/${encodeURIComponent(collection)}`, { headers: apiKey ? { 'api-key': apiKey } : {} });
  if (!res.ok) return fail('Qdrant', `not reachable at ${url} (${res.reason})`, 'start it (docker compose up -d qdrant), or fix QDRANT_URL');
  if (res.status === 401 || res.status === 403) return fail('Qdrant', `the API key is ${apiKey ? 'rejected' : 'missing'} (${res.status})`, 'set QDRANT_API_KEY to the key Qdrant was started with (QDRANT__SERVICE__API_KEY)');
  if (res.status === 404) return warn('Qdrant', `collection ${collection} does not exist yet`, 'nothing to do: openzero creates it at start');
  const size = field(res.body, 'result', 'config', 'params', 'vectors', 'size');
  if (config.embedding.model === 'Xenova/all-MiniLM-L6-v2' && typeof size === 'number' && size !== MINILM_DIMENSION) {
    return fail('Qdrant', `collection ${collection} holds ${size}-dimensional vectors, the model makes ${MINILM_DIMENSION}`, 'set QDRANT_COLLECTION to a new name, then npm run reindex');
  }
  return ok('Qdrant', `collection ${collection}, vectors of ${String(size)}, key accepted`);
}
