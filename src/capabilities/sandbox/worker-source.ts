/**
 * The worker thread that hosts one QuickJS (WebAssembly) VM for one capability call.
 *
 * Kept as plain JavaScript text and started with `eval: true`, because the worker must
 * run the same way from the compiled daemon (dist/) and from the TypeScript test runner,
 * which does not transform worker entry files. It only bridges: the guest's code runs in
 * QuickJS, never in this realm. Everything that crosses is a JSON string.
 *
 * workerData: { quickjsUrl, wasm (a compiled WebAssembly.Module), prelude, code, inputJson, memoryLimitBytes, cpuLimitMs, maxStackBytes }
 * to the host:   { type: 'call', id, name, argsJson } | { type: 'done', ok, valueJson?, error?, kind? }
 * from the host: { type: 'reply', id, ok, valueJson?, error? }
 */
export const SANDBOX_WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');

function classify(message) {
  if (/interrupted/i.test(message)) return 'timeout';
  if (/out of memory/i.test(message)) return 'memory';
  if (/stack/i.test(message)) return 'stack';
  return 'error';
}

let finished = false;
function finish(message) {
  if (finished) return;
  finished = true;
  parentPort.postMessage(message);
}

async function main() {
  const { QuickJS } = await import(workerData.quickjsUrl);
  const deadline = Date.now() + workerData.cpuLimitMs;
  const vm = await QuickJS.create({
    wasm: workerData.wasm,
    memoryLimit: workerData.memoryLimitBytes,
    maxStackSize: workerData.maxStackBytes,
    timezoneOffset: 0,
    interruptHandler: () => Date.now() > deadline,
  });
  const pending = new Map();
  let nextId = 0;
  const call = vm.newFunction('__oz_call', (nameHandle, argsHandle) => {
    const name = nameHandle.toString();
    const argsJson = argsHandle.toString();
    const deferred = vm.newPromise();
    nextId += 1;
    pending.set(nextId, deferred);
    parentPort.postMessage({ type: 'call', id: nextId, name, argsJson });
    return deferred.handle;
  });
  vm.setProp(vm.global, '__oz_call', call);
  const done = vm.newFunction('__oz_finish', (okHandle, textHandle) => {
    const ok = vm.dump(okHandle) === true;
    const text = textHandle.toString();
    finish(ok ? { type: 'done', ok: true, valueJson: text } : { type: 'done', ok: false, error: text, kind: classify(text) });
    return vm.undefined;
  });
  vm.setProp(vm.global, '__oz_finish', done);

  const drain = () => {
    try {
      vm.executePendingJobs();
    } catch (err) {
      const message = String(err && err.message ? err.message : err);
      finish({ type: 'done', ok: false, error: message, kind: classify(message) });
    }
  };
  parentPort.on('message', (message) => {
    if (!message || message.type !== 'reply' || finished) return;
    const deferred = pending.get(message.id);
    if (!deferred) return;
    pending.delete(message.id);
    try {
      if (message.ok) {
        const value = vm.newString(message.valueJson);
        deferred.resolve(value);
        value.dispose();
      } else {
        const error = vm.newError(new Error(message.error));
        deferred.reject(error);
        error.dispose();
      }
    } catch (err) {
      const text = String(err && err.message ? err.message : err);
      finish({ type: 'done', ok: false, error: text, kind: classify(text) });
      return;
    }
    drain();
  });

  try {
    vm.evalCode(workerData.prelude, '<prelude>');
    vm.evalCode(workerData.code, '<capability>');
    const input = vm.newString(workerData.inputJson);
    const start = vm.global.getProp('__start');
    vm.callFunction(start, vm.undefined, input);
    drain();
  } catch (err) {
    const message = String(err && err.message ? (err.name ? err.name + ': ' : '') + err.message : err);
    finish({ type: 'done', ok: false, error: message, kind: classify(message) });
  }
}

main().catch((err) => {
  finish({ type: 'done', ok: false, error: 'sandbox failed to start: ' + String(err && err.message ? err.message : err), kind: 'crash' });
});
`;
