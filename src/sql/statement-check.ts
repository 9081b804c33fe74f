/** What a statement is, as far as `execute_sql` cares: a read, a row write, or refused. */
export type StatementCheck = { ok: true; kind: 'read' | 'write'; text: string } | { ok: false; error: string };

const READ_START = new Set(['select', 'with', 'values', 'table']);
const WRITE_START = new Set(['insert', 'update', 'delete']);
/**
 * set_config can switch the role inside a query (SET ROLE is checked against the session
 * user, the daemon's), after which query_to_xml and friends read as that role. The roles
 * cannot execute set_config anyway (ensureSqlRoles revokes it); this refuses it up front.
 */
const FORBIDDEN_WORDS = new Set(['set_config', 'query_to_xml', 'query_to_xmlschema', 'query_to_xml_and_xmlschema', 'cursor_to_xml', 'dblink', 'lo_import', 'lo_export']);

/**
 * Checks that `text` is exactly one statement that reads, or one that inserts, updates or
 * deletes rows. Literals, quoted names, dollar quotes and comments are skipped, so a `;`
 * or `)` inside them does not count. A second statement, unbalanced parentheses (which
 * could close the wrapper the reader puts around a query) or an unterminated literal is
 * refused. This is a gate in front of the read-only transaction, not instead of it.
 */
export function checkStatement(input: string): StatementCheck {
  const text = input.trim().replace(/;\s*$/, '').trim();
  if (text === '') return { ok: false, error: 'the statement is empty' };
  if (text.length > 10_000) return { ok: false, error: 'the statement is longer than 10000 characters' };
  const words: string[] = [];
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    const next = text[i + 1] ?? '';
    if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end + 1;
    } else if (c === '/' && next === '*') {
      let nest = 1;
      i += 2;
      while (i < text.length && nest > 0) {
        if (text[i] === '/' && text[i + 1] === '*') {
          nest += 1;
          i += 2;
        } else if (text[i] === '*' && text[i + 1] === '/') {
          nest -= 1;
          i += 2;
        } else i += 1;
      }
      if (nest > 0) return { ok: false, error: 'a comment is not closed' };
    } else if (c === "'") {
      const escaped = /[eE]/.test(text[i - 1] ?? '') && !/[\w]/.test(text[i - 2] ?? '');
      i += 1;
      for (;;) {
        if (i >= text.length) return { ok: false, error: 'a string literal is not closed' };
        if (escaped && text[i] === '\\') i += 2;
        else if (text[i] === "'" && text[i + 1] === "'") i += 2;
        else if (text[i] === "'") break;
        else i += 1;
      }
      i += 1;
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end === -1) return { ok: false, error: 'a quoted name is not closed' };
      // A quoted name still names a function: "set_config"(...) must be caught too.
      words.push(text.slice(i + 1, end).toLowerCase());
      i = end + 1;
    } else if ((c === 'u' || c === 'U') && next === '&') {
      return { ok: false, error: 'Unicode-escaped names and strings (U&) are not allowed' };
    } else if (c === '$' && /[A-Za-z_$]/.test(next) && !/[\w]/.test(text[i - 1] ?? '')) {
      const tag = /^\$[A-Za-z_]\w*\$|^\$\$/.exec(text.slice(i))?.[0];
      if (tag) {
        const end = text.indexOf(tag, i + tag.length);
        if (end === -1) return { ok: false, error: 'a dollar-quoted string is not closed' };
        i = end + tag.length;
      } else i += 1;
    } else if (c === ';') {
      return { ok: false, error: 'only one statement at a time' };
    } else if (c === '(') {
      depth += 1;
      i += 1;
    } else if (c === ')') {
      depth -= 1;
      if (depth < 0) return { ok: false, error: 'the parentheses do not match' };
      i += 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_]\w*/.exec(text.slice(i))?.[0] ?? c;
      words.push(word.toLowerCase());
      i += word.length;
    } else i += 1;
  }
  if (depth !== 0) return { ok: false, error: 'the parentheses do not match' };
  const forbidden = words.find((word) => FORBIDDEN_WORDS.has(word));
  if (forbidden) return { ok: false, error: `${forbidden} is not allowed` };
  const first = words[0] ?? '';
  if (READ_START.has(first)) return { ok: true, kind: 'read', text };
  if (WRITE_START.has(first)) return { ok: true, kind: 'write', text };
  return { ok: false, error: `only SELECT (or WITH/VALUES/TABLE) reads, and INSERT/UPDATE/DELETE through the owner's approval, are allowed; not ${first.toUpperCase() || 'this'}` };
}

/**
 * Words the embedded database (PGlite) cannot be protected from by cost estimates: it
 * ignores `statement_timeout`, so a sleep or an unbounded recursive query would hold its
 * only connection. Returns the refusal, or undefined.
 */
export function embeddedRefusal(text: string): string | undefined {
  if (/\bpg_sleep\w*\b/i.test(text)) return 'pg_sleep is not allowed';
  if (/\bwith\s+recursive\b/i.test(text)) return 'recursive queries are not allowed on the embedded database (it cannot stop a runaway query)';
  return undefined;
}
