/** The answer to a forwarded command that would loosen a safeguard: someone else wrote it. */
export const FORWARDED_REFUSAL = 'That was a forwarded message, so I did not treat it as your command. Type it yourself to use it.';
