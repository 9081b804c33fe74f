import type { EmailAction } from '../db/tables/google.table.js';

export type { EmailAction };
export const EMAIL_ACTIONS: readonly EmailAction[] = ['urgent', 'summarize', 'archive'];

export interface RulePattern {
  from: string | null;
  subject: string | null;
  action: EmailAction;
}

export interface EmailRule extends RulePattern {
  id: number;
  position: number;
}

export type RuleLineParse = { ok: true; rule: RulePattern } | { ok: false; error: string };

/**
 * One rule in the documented format (personal/requirements.example.md):
 * `from: <text>, subject: <text> -> <action>` with either part optional (not both).
 */
export function parseRuleLine(line: string): RuleLineParse {
  const text = line.trim().replace(/^[-*]\s*/, '');
  const arrow = text.lastIndexOf('->');
  if (arrow === -1) return { ok: false, error: 'expected "<match> -> <action>"' };
  const action = text.slice(arrow + 2).trim().toLowerCase();
  if (!(EMAIL_ACTIONS as readonly string[]).includes(action)) return { ok: false, error: `unknown action "${action}" (expected urgent, summarize or archive)` };
  let from: string | null = null;
  let subject: string | null = null;
  for (const part of text.slice(0, arrow).split(',')) {
    const match = /^\s*(from|subject)\s*:\s*(.*?)\s*$/i.exec(part);
    if (!match?.[1] || !match[2]) return { ok: false, error: `expected "from: <text>" or "subject: <text>", got "${part.trim()}"` };
    if (match[1].toLowerCase() === 'from') from = match[2];
    else subject = match[2];
  }
  if (from === null && subject === null) return { ok: false, error: 'a rule needs from: or subject:' };
  return { ok: true, rule: { from, subject, action: action as EmailAction } };
}

export interface RulesFileParse {
  rules: RulePattern[];
  /** Lines of the section that are not rules, with why (shown at start, never guessed). */
  problems: string[];
}

/** The `## Email rules` section of personal/requirements.md; list lines only, comments skipped. */
export function parseRulesSection(markdown: string): RulesFileParse {
  const withoutComments = markdown.replace(/<!--[\s\S]*?-->/g, '');
  const rules: RulePattern[] = [];
  const problems: string[] = [];
  let inSection = false;
  for (const line of withoutComments.split('\n')) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line.trim());
    if (heading) {
      inSection = /^email rules$/i.test(heading[1]?.trim() ?? '');
      continue;
    }
    if (!inSection || !/^\s*[-*]\s+/.test(line)) continue;
    const parsed = parseRuleLine(line);
    if (parsed.ok) rules.push(parsed.rule);
    else problems.push(`"${line.trim()}": ${parsed.error}`);
  }
  return { rules, problems };
}

/** Case-insensitive substring match; every given part must match. */
export function ruleMatches(rule: RulePattern, mail: { from: string; subject: string }): boolean {
  if (rule.from !== null && !mail.from.toLowerCase().includes(rule.from.toLowerCase())) return false;
  if (rule.subject !== null && !mail.subject.toLowerCase().includes(rule.subject.toLowerCase())) return false;
  return true;
}

/** First match wins (rules in position order); mail no rule matches is summarized. */
export function triageAction(rules: readonly EmailRule[], mail: { from: string; subject: string }): { action: EmailAction; rule: EmailRule | undefined } {
  const rule = rules.find((candidate) => ruleMatches(candidate, mail));
  return { action: rule?.action ?? 'summarize', rule };
}

export function describeRule(rule: RulePattern): string {
  const parts = [rule.from !== null ? `from: ${rule.from}` : undefined, rule.subject !== null ? `subject: ${rule.subject}` : undefined].filter(Boolean);
  return `${parts.join(', ')} -> ${rule.action}`;
}
