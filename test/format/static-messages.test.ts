import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderForTelegram, splitTelegramHtml } from '../../src/channels/telegram/format/index.js';
import { telegramHtmlProblems } from './telegram-html.js';

/**
 * Every fixed text openzero can send, collected from the source: replies, sends, edits and
 * help lines, plus the texts that functions hand to them. Each is rendered the way it is sent
 * (as Telegram HTML when the call says `html: true`, through the Markdown converter otherwise)
 * and must pass the strict Telegram HTML check. Values computed at run time stand in as "x".
 */

const SRC = path.resolve(import.meta.dirname, '../../src');
/** Function name → index of its text argument. `reply` and `edit` are the command port's (request, press, turn). */
const SENDERS = new Map([
  ['replyText', 1],
  ['sendText', 2],
  ['editText', 3],
  ['reply', 0],
  ['edit', 0],
]);

interface StaticMessage {
  where: string;
  text: string;
  html: boolean;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [file] : [];
  });
}

/** The fixed texts an expression can produce: literals, templates (holes as "x"), `a ? b : c`, `+`, escapeHtml(…) and local constants. */
function textsOf(node: ts.Expression, constants: Map<string, ts.Expression>, depth = 0): Array<{ text: string; escaped: boolean }> {
  if (depth > 8) return [];
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [{ text: node.text, escaped: false }];
  if (ts.isTemplateExpression(node)) return [{ text: node.head.text + node.templateSpans.map((span) => `x${span.literal.text}`).join(''), escaped: false }];
  if (ts.isParenthesizedExpression(node)) return textsOf(node.expression, constants, depth + 1);
  if (ts.isConditionalExpression(node)) return [...textsOf(node.whenTrue, constants, depth + 1), ...textsOf(node.whenFalse, constants, depth + 1)];
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = textsOf(node.left, constants, depth + 1);
    const right = textsOf(node.right, constants, depth + 1);
    return left.flatMap((l) => right.map((r) => ({ text: l.text + r.text, escaped: l.escaped && r.escaped })));
  }
  if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'escapeHtml' && node.arguments[0]) {
    return textsOf(node.arguments[0], constants, depth + 1).map(({ text }) => ({ text: escapeHtml(text), escaped: true }));
  }
  if (ts.isIdentifier(node)) {
    const value = constants.get(node.text);
    return value ? textsOf(value, constants, depth + 1) : [];
  }
  return [];
}

function saysHtml(options: ts.Expression | undefined): boolean {
  if (!options || !ts.isObjectLiteralExpression(options)) return false;
  return options.properties.some((p) => ts.isPropertyAssignment(p) && p.name.getText() === 'html' && p.initializer.kind === ts.SyntaxKind.TrueKeyword);
}

function collect(): StaticMessage[] {
  const found: StaticMessage[] = [];
  for (const file of sourceFiles(SRC)) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const constants = new Map<string, ts.Expression>();
    const where = (node: ts.Node): string => `${path.relative(SRC, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const visitConstants = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) constants.set(node.name.text, node.initializer);
      ts.forEachChild(node, visitConstants);
    };
    visitConstants(source);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const callee = node.expression;
        const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
        const index = SENDERS.get(name);
        const textArg = index === undefined ? undefined : node.arguments[index];
        if (index !== undefined && textArg) {
          const html = saysHtml(node.arguments[index + 1]);
          for (const { text } of textsOf(textArg, constants)) found.push({ where: where(node), text, html });
        }
        if (name === 'registry.add' || (name === 'add' && ts.isPropertyAccessExpression(callee) && callee.expression.getText().endsWith('registry'))) {
          const spec = node.arguments[0];
          if (spec && ts.isObjectLiteralExpression(spec)) {
            const field = (key: string): string =>
              spec.properties.flatMap((p) => (ts.isPropertyAssignment(p) && p.name.getText() === key ? textsOf(p.initializer, constants).map((t) => t.text) : []))[0] ?? '';
            // The /help line, built as /help builds it.
            found.push({ where: where(node), text: escapeHtml(`/${field('command')}${field('args') ? ` ${field('args')}` : ''} — ${field('description')}`), html: true });
          }
        }
      }
      // Texts handed on in `{ text: … }` objects (pages, outcomes) are sent as HTML by their callers.
      if (ts.isPropertyAssignment(node) && node.name.getText() === 'text' && ts.isObjectLiteralExpression(node.parent)) {
        const siblings = node.parent.properties.map((p) => p.name?.getText());
        if (siblings.includes('empty') || siblings.includes('buttons')) {
          for (const { text } of textsOf(node.initializer, constants)) found.push({ where: where(node), text, html: true });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe('every static user-facing message', () => {
  const messages = collect();

  it('is collected from the source (replies, edits, help lines)', () => {
    expect(messages.length).toBeGreaterThan(50);
    expect(messages.some((m) => m.text.startsWith('/help — '))).toBe(true);
    expect(messages.some((m) => m.text.includes('No memories yet'))).toBe(true);
  });

  it('renders through the real formatter into HTML that Telegram accepts', () => {
    const rejected = messages.flatMap((message) => {
      const chunks = message.html ? splitTelegramHtml(message.text) : renderForTelegram(message.text).html;
      return chunks.flatMap((chunk) => telegramHtmlProblems(chunk).map((problem) => `${message.where}: ${problem} in ${JSON.stringify(message.text.slice(0, 120))}`));
    });
    expect(rejected).toEqual([]);
  });
});
