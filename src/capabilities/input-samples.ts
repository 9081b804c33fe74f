/**
 * Inputs generated from a JSON Schema to try a capability with besides its own tests:
 * a typical value and an edge value (empty strings, zero, empty arrays, the other end
 * of enums and ranges) for every property, optional ones included.
 */
export function sampleInputs(schema: Record<string, unknown>): unknown[] {
  return [sample(schema, 'typical', 0), sample(schema, 'edge', 0)];
}

type Variant = 'typical' | 'edge';

function sample(schema: unknown, variant: Variant, depth: number): unknown {
  if (typeof schema !== 'object' || schema === null || depth > 6) return null;
  const s = schema as Record<string, unknown>;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return variant === 'typical' ? s.enum[0] : s.enum[s.enum.length - 1];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = s[key];
    if (Array.isArray(options) && options.length > 0) return sample(variant === 'typical' ? options[0] : options[options.length - 1], variant, depth + 1);
  }
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const properties = typeof s.properties === 'object' && s.properties !== null ? (s.properties as Record<string, unknown>) : {};
      return Object.fromEntries(Object.entries(properties).map(([name, inner]) => [name, sample(inner, variant, depth + 1)]));
    }
    case 'array': {
      const min = typeof s.minItems === 'number' ? s.minItems : 0;
      const count = variant === 'typical' ? Math.max(1, min) : min;
      return Array.from({ length: Math.min(count, 5) }, () => sample(s.items, variant, depth + 1));
    }
    case 'string': {
      const min = typeof s.minLength === 'number' ? s.minLength : 0;
      const max = typeof s.maxLength === 'number' ? s.maxLength : 1000;
      if (s.format === 'date') return '2026-01-31';
      if (s.format === 'date-time') return '2026-01-31T12:00:00Z';
      if (s.format === 'email') return 'someone@example.com';
      if (s.format === 'uri' || s.format === 'url') return 'https://example.com/';
      return variant === 'typical' ? 'example'.padEnd(min, 'x').slice(0, Math.max(min, Math.min(7, max))) : 'x'.repeat(min);
    }
    case 'integer':
    case 'number': {
      const minimum = typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : undefined;
      const maximum = typeof s.maximum === 'number' ? s.maximum : typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum - 1 : undefined;
      if (variant === 'edge') return minimum ?? (maximum !== undefined && maximum < 0 ? maximum : 0);
      const typical = type === 'integer' ? 3 : 12.5;
      if (minimum !== undefined && typical < minimum) return minimum;
      if (maximum !== undefined && typical > maximum) return maximum;
      return typical;
    }
    case 'boolean':
      return variant === 'typical';
    case 'null':
      return null;
    default:
      return null;
  }
}
