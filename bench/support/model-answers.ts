/**
 * Answers in the shapes small local models (llama 3.x, qwen 2.5, mistral) really
 * give in chat: headings, bullets with bold labels, numbered steps, code, quotes,
 * tables, arithmetic with asterisks, snake_case names, and line-by-line replies
 * that rely on single newlines.
 */
export const MODEL_ANSWERS: ReadonlyArray<readonly [string, string]> = [
  [
    'morning plan',
    [
      "Good morning! Here's your plan for today:",
      '',
      '**Top priorities**',
      '1. Call the dentist to confirm Thursday at 9:00',
      '2. Send the Q3 budget to Anna',
      '3. Review PR #42',
      '',
      '**Also on the board**',
      '- Renew passport (due Friday)',
      '- Buy milk',
      '',
      'Want me to add anything?',
    ].join('\n'),
  ],
  [
    'line-by-line reply',
    ['Sure, noted:', 'Dentist: Dr. Smith', 'Phone: 030 1234567', 'Next visit: 12 March', "I'll remind you a day before."].join('\n'),
  ],
  [
    'arithmetic',
    ['Your monthly total is 3*40 + 2*15 = 150 EUR.', 'Per year that is 150*12 = 1800 EUR, or 2**10 - 224 if you like puzzles.'].join('\n'),
  ],
  [
    'code answer',
    [
      '### How to count lines',
      '',
      'Use `wc -l` on the file:',
      '',
      '```bash',
      'wc -l notes_2026.md',
      '```',
      '',
      'In Python, `len(open(path).readlines())` works too. The variable my_file_name is just an example.',
    ].join('\n'),
  ],
  [
    'table',
    [
      'Here is the comparison:',
      '',
      '| Plan | Price | Storage |',
      '|------|-------|---------|',
      '| Basic | 5 EUR | 100 GB |',
      '| Pro | 10 EUR | 1 TB |',
      '',
      '**Recommendation:** Basic is enough for you.',
    ].join('\n'),
  ],
  [
    'quote and links',
    [
      'From your notes:',
      '> Call Anna about the **offsite** before Friday.',
      '> She prefers mornings.',
      '',
      'Her calendar link: [book a slot](https://cal.example.com/anna)',
      'Docs: <https://example.com/offsite-plan>',
    ].join('\n'),
  ],
  [
    'nested bullets',
    ['* **Health**', '  * Gym Monday and Thursday', '  * Sleep by 23:00', '* **Work**', '  * Finish the report', '    * charts', '    * summary'].join('\n'),
  ],
  [
    'setext-looking rule',
    ['Summary of the week', '---', 'You closed 7 tasks and opened 3.', 'Best day: Tuesday'].join('\n'),
  ],
  [
    'emphasis in sentences',
    ['That is *really* important: do **not** miss the _deadline_ on Friday.', 'It is ~~Thursday~~ Friday now.'].join('\n'),
  ],
  [
    'headings and steps',
    ['## Steps', '1) Open Planka', '2) Create the board "Finance"', '3) Add a list named `Receipts`', '## Done', 'That is all!'].join('\n'),
  ],
  [
    'html-looking text',
    ['Use <b>bold</b> tags only in HTML mode.', 'Compare: a < b && c > d.', 'Entities like &amp; stay as typed.'].join('\n'),
  ],
  [
    'unclosed fence at the end (stream cut)',
    ['Here is the script:', '```js', 'const total = items.reduce((a, b) => a + b, 0);', 'console.log(total);'].join('\n'),
  ],
];
