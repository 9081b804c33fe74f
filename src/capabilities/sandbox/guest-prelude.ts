/**
 * Evaluated in the guest before the capability's code: the only globals it adds are
 * `fetch`, `sql`, `kv` and `log`, all over one private channel to the host that is
 * removed from the global object before the capability's code runs. Each call sends
 * JSON text and gets JSON text back; the host never hands the guest a host object.
 */
export const GUEST_PRELUDE = String.raw`(function (call, finish) {
  const json = (value) => (value === undefined ? 'null' : JSON.stringify(value));
  const invoke = (name, args) => call(name, json(args)).then((text) => JSON.parse(text));
  globalThis.fetch = (url, init) => invoke('fetch', { url: String(url), init: init === undefined ? {} : init }).then((res) => ({
    status: res.status,
    ok: res.status >= 200 && res.status < 300,
    headers: res.headers,
    text: () => Promise.resolve(res.body),
    json: () => Promise.resolve(JSON.parse(res.body)),
  }));
  globalThis.sql = (query, params) => invoke('sql', { query: String(query), params: params === undefined ? [] : params });
  globalThis.kv = Object.freeze({
    get: (key) => invoke('kv.get', { key: String(key) }),
    set: (key, value) => invoke('kv.set', { key: String(key), value: value }),
    delete: (key) => invoke('kv.delete', { key: String(key) }),
    list: (prefix) => invoke('kv.list', { prefix: prefix === undefined ? '' : String(prefix) }),
  });
  globalThis.log = (...parts) => { call('log', json({ line: parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ') })); };
  globalThis.__start = (inputText) => {
    let settled = false;
    const once = (ok, text) => { if (!settled) { settled = true; finish(ok, text); } };
    let result;
    try {
      if (typeof run !== 'function') throw new TypeError('the capability must define a function named run(input)');
      result = run(JSON.parse(inputText));
    } catch (err) {
      once(false, String(err && err.stack ? err.name + ': ' + err.message : err));
      return;
    }
    Promise.resolve(result).then(
      (value) => { let text; try { text = json(value); } catch (err) { once(false, 'TypeError: the result is not JSON: ' + String(err && err.message)); return; } once(true, text); },
      (err) => once(false, String(err && err.message !== undefined ? (err.name || 'Error') + ': ' + err.message : err)),
    );
  };
})(__oz_call, __oz_finish);
delete globalThis.__oz_call;
delete globalThis.__oz_finish;
`;
