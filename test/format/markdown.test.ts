import { describe, expect, it } from 'vitest';
import { markdownToTelegramHtml as md } from '../../src/channels/telegram/format/index.js';
import { CONVERTER_TAGS, telegramHtmlProblems } from './telegram-html.js';

describe('markdownToTelegramHtml: emphasis', () => {
  it('renders bold with ** and __', () => {
    expect(md('**bold** and __also__')).toBe('<b>bold</b> and <b>also</b>');
  });

  it('renders italic with * and _', () => {
    expect(md('*it* and _it_')).toBe('<i>it</i> and <i>it</i>');
  });

  it('renders bold italic and nesting', () => {
    expect(md('***both***')).toBe('<i><b>both</b></i>');
    expect(md('**bold _and italic_ inside**')).toBe('<b>bold <i>and italic</i> inside</b>');
  });

  it('does not italicise inside words', () => {
    expect(md('snake_case_name and my_var_')).toBe('snake_case_name and my_var_');
    expect(md('2*3*4 = 24')).toBe('2*3*4 = 24');
    expect(md('a*b*c')).toBe('a*b*c');
  });

  it('does not treat exponent-like ** between digits as bold', () => {
    expect(md('2**3 + 3**2')).toBe('2**3 + 3**2');
  });

  it('allows ** inside CJK text, which has no spaces between words', () => {
    expect(md('这是**重要**的')).toBe('这是<b>重要</b>的');
  });

  it('bolds a label followed by punctuation', () => {
    expect(md('**Note**: read this')).toBe('<b>Note</b>: read this');
  });

  it('renders strikethrough with ~~ and leaves single ~ alone', () => {
    expect(md('~~gone~~ ~approx~')).toBe('<s>gone</s> ~approx~');
  });

  it('leaves unbalanced or space-padded delimiters literal', () => {
    expect(md('**unclosed')).toBe('**unclosed');
    expect(md('* not italic *')).toBe('• not italic *');
    expect(md('a ** b ** c')).toBe('a ** b ** c');
  });

  it('honours backslash escapes', () => {
    expect(md('\\*not italic\\* and \\_x\\_')).toBe('*not italic* and _x_');
  });
});

describe('markdownToTelegramHtml: code', () => {
  it('renders inline code and escapes inside it, with no emphasis', () => {
    expect(md('run `a < b && **c**` now')).toBe('run <code>a &lt; b &amp;&amp; **c**</code> now');
  });

  it('supports longer backtick runs containing backticks', () => {
    expect(md('``a ` b``')).toBe('<code>a ` b</code>');
  });

  it('leaves an unmatched backtick literal', () => {
    expect(md('it`s fine')).toBe('it`s fine');
  });

  it('renders a fenced block with a language', () => {
    expect(md('```python\nif a < b:\n    print("x & y")\n```')).toBe(
      '<pre><code class="language-python">if a &lt; b:\n    print(&quot;x &amp; y&quot;)</code></pre>',
    );
  });

  it('renders a fenced block without a language as <pre>', () => {
    expect(md('```\n**not bold**\n```')).toBe('<pre>**not bold**</pre>');
  });

  it('drops a language that could break out of the attribute', () => {
    expect(md('```a"b\nx\n```')).toBe('<pre>x</pre>');
  });

  it('runs an unclosed fence to the end of the text', () => {
    expect(md('text\n```js\nlet x = 1;\n')).toBe('text\n<pre><code class="language-js">let x = 1;</code></pre>');
  });

  it('supports ~~~ fences and strips the fence indentation', () => {
    expect(md('  ~~~\n  indented\n    more\n  ~~~')).toBe('<pre>indented\n  more</pre>');
  });
});

describe('markdownToTelegramHtml: links', () => {
  it('renders http, https, tg and mailto links', () => {
    expect(md('[site](https://example.com/a?b=1&c=2)')).toBe('<a href="https://example.com/a?b=1&amp;c=2">site</a>');
    expect(md('[me](tg://user?id=42)')).toBe('<a href="tg://user?id=42">me</a>');
    expect(md('[mail](mailto:a@b.c)')).toBe('<a href="mailto:a@b.c">mail</a>');
    expect(md('[plain](http://x.y)')).toBe('<a href="http://x.y">plain</a>');
  });

  it('keeps balanced parentheses in the URL and drops a title', () => {
    expect(md('[w](https://en.wikipedia.org/wiki/Foo_(bar) "Title")')).toBe(
      '<a href="https://en.wikipedia.org/wiki/Foo_(bar)">w</a>',
    );
  });

  it('leaves other schemes as text', () => {
    expect(md('[click](javascript:alert(1))')).toBe('[click](javascript:alert(1))');
    expect(md('[f](file:///etc/passwd)')).toBe('[f](file:///etc/passwd)');
    expect(md('[rel](/relative)')).toBe('[rel](/relative)');
  });

  it('escapes quotes in the href so the attribute cannot be broken', () => {
    expect(md('[x](https://a.b/"onclick=")')).toBe('<a href="https://a.b/&quot;onclick=&quot;">x</a>');
  });

  it('formats the label but keeps code out of links', () => {
    expect(md('[**bold** `code`](https://a.b)')).toBe('<a href="https://a.b"><b>bold</b> code</a>');
  });

  it('shows the URL when the label is empty', () => {
    expect(md('[](https://a.b)')).toBe('<a href="https://a.b">https://a.b</a>');
  });

  it('renders autolinks and images as links', () => {
    expect(md('see <https://a.b/c>')).toBe('see <a href="https://a.b/c">https://a.b/c</a>');
    expect(md('![chart](https://a.b/c.png)')).toBe('<a href="https://a.b/c.png">chart</a>');
  });

  it('lets emphasis wrap a link', () => {
    expect(md('**[x](https://a.b)**')).toBe('<b><a href="https://a.b">x</a></b>');
  });
});

describe('markdownToTelegramHtml: blocks', () => {
  it('renders headings as bold lines', () => {
    expect(md('# Title\n## Sub *it* ##\ntext')).toBe('<b>Title</b>\n<b>Sub <i>it</i></b>\ntext');
  });

  it('does not treat #hashtags as headings', () => {
    expect(md('#tag and #1')).toBe('#tag and #1');
  });

  it('renders bullets as • keeping indentation', () => {
    expect(md('- one\n* two\n+ three\n  - nested **b**')).toBe('• one\n• two\n• three\n  • nested <b>b</b>');
  });

  it('keeps numbered lists as they are', () => {
    expect(md('1. first\n2. *second*\n10) tenth')).toBe('1. first\n2. <i>second</i>\n10) tenth');
  });

  it('renders consecutive > lines as one blockquote, flattening nesting', () => {
    expect(md('> quoted **b**\n> - item\n>> deeper\nafter')).toBe(
      '<blockquote>quoted <b>b</b>\n• item\ndeeper</blockquote>\nafter',
    );
  });

  it('skips an empty blockquote rather than emitting an empty tag', () => {
    expect(md('>\n> ')).toBe('');
  });

  it('renders horizontal rules as a line', () => {
    expect(md('a\n---\nb')).toBe('a\n———\nb');
  });

  it('normalises CRLF line endings', () => {
    expect(md('**a**\r\nb')).toBe('<b>a</b>\nb');
  });

  it('escapes raw HTML and entities from the model', () => {
    expect(md('<b>hi</b> &amp; <script>')).toBe('&lt;b&gt;hi&lt;/b&gt; &amp;amp; &lt;script&gt;');
  });

  it('produces only converter tags for a realistic answer', () => {
    const answer = [
      '# Plan for **today**',
      '',
      'Here is what I found in `inbox_rules.md`:',
      '',
      '1. Reply to [Anna](mailto:anna@example.com) about the *Q3* budget',
      '2. Review PR #42 — see <https://github.com/o/r/pull/42>',
      '',
      '> Note: the deadline is ~~Friday~~ Monday.',
      '',
      '```ts',
      'const total = items.reduce((a, b) => a + b, 0);',
      '```',
    ].join('\n');
    const html = md(answer);
    expect(telegramHtmlProblems(html, CONVERTER_TAGS)).toEqual([]);
    expect(html).toContain('<a href="mailto:anna@example.com">Anna</a>');
    expect(html).toContain('<blockquote>Note: the deadline is <s>Friday</s> Monday.</blockquote>');
  });
});
