const KNOWN_HOSTS: Record<string, string> = {
  'api.openai.com': 'OpenAI',
  'api.groq.com': 'Groq',
  'openrouter.ai': 'OpenRouter',
};

/** The name the owner sees in disclosures ("send to Groq?"): a known service, else the host. */
export function providerNameFromUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return baseUrl;
  }
  return KNOWN_HOSTS[url.hostname] ?? url.host;
}
