import { escapeHtml } from '../channels/telegram/format/index.js';
import type { Buttons } from '../commands/index.js';
import type { ToolRegistry } from '../tools/index.js';
import type { OwnerPolicy } from './owner-policy.js';

/**
 * Changes whether an L2 tool asks first; returns the line for the owner. Only the
 * owner's `/policy` command and its buttons reach this. L3 always asks.
 */
export async function setToolPolicy(policy: OwnerPolicy, tools: ToolRegistry, name: string, allow: boolean): Promise<string> {
  const tool = tools.get(name);
  if (!tool) return `There is no tool named ${name}.`;
  if (tool.tier === 'L3') return `${name} always asks first (risk L3: money, legal, public or data leaving the machine).`;
  if (tool.tier !== 'L2') return `${name} never asks (risk ${tool.tier}); there is nothing to change.`;
  await policy.setAllowed(name, allow);
  return allow ? `${name} now runs without asking you first.` : `${name} asks you first again.`;
}

/** The /policy message: every tool that can ask, whether it does, and a button to change it. */
export async function policyView(policy: OwnerPolicy, tools: ToolRegistry, note: string | undefined): Promise<{ text: string; buttons: Buttons }> {
  const allowed = new Set(await policy.allowedTools());
  const asking = tools.list().filter((tool) => tool.tier === 'L2' || tool.tier === 'L3');
  const lines = asking.map((tool) => {
    const state = tool.tier === 'L3' ? 'always asks (L3)' : allowed.has(tool.name) ? '⚠️ runs without asking' : 'asks first';
    return `• <code>${escapeHtml(tool.name)}</code>: ${state}`;
  });
  const buttons = asking
    .filter((tool) => tool.tier === 'L2')
    .map((tool) =>
      allowed.has(tool.name)
        ? [{ text: `Ask first: ${tool.name}`, data: `pol:k:${tool.name}` }]
        : [{ text: `Allow without asking: ${tool.name}`, data: `pol:a:${tool.name}` }],
    )
    .filter(([button]) => button !== undefined && Buffer.byteLength(button.data) <= 64);
  const text = [
    ...(note ? [escapeHtml(note), ''] : []),
    '<b>Approval policy</b>',
    'Actions that change things outside Z or delete your records ask you first, with buttons.',
    ...(lines.length > 0 ? lines : ['(no such actions are available)']),
    '',
    'Only you change this, here (/policy allow &lt;tool&gt;, /policy ask &lt;tool&gt;, or the buttons). No tool and no message can.',
  ].join('\n');
  return { text, buttons };
}
