/** The steps to connect Google, shared by `npm run google:auth --help` and /google in chat. */
export const DEFAULT_AUTH_PORT = 8790;

export function connectSteps(port: number = DEFAULT_AUTH_PORT): string {
  return [
    'Connect Google (Gmail read-only, Calendar read-only):',
    '1. Google Cloud console → APIs & Services: enable the Gmail API and the Google Calendar API.',
    '2. OAuth consent screen: External, add yourself as a test user, then PUBLISH the app ("In production").',
    '   An app left in "Testing" has its refresh tokens expire after 7 days. Unverified is fine for personal use.',
    '3. Credentials → Create credentials → OAuth client ID → type "Desktop app". Put its id and secret in .env',
    '   (GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET), or download the JSON and set GOOGLE_CREDENTIALS_FILE.',
    '   Also set OPENZERO_SECRET_KEY (openssl rand -hex 32): tokens are stored encrypted with it.',
    `4. On the server run: npm run google:auth  (it listens on 127.0.0.1:${port}, uses PKCE, and prints a Google link).`,
    '   On a VPS, first open a tunnel from your own computer, then open the link in your browser there:',
    `     ssh -L ${port}:127.0.0.1:${port} <user>@<your-server>`,
    '   No tunnel? Open the link anyway; when the browser fails to load http://127.0.0.1/… after you agree,',
    '   copy that whole address from the address bar and paste it into the waiting command.',
    '5. Restart openzero. /status shows "Google: connected"; /mail, /today and /week work.',
    'Scopes asked: gmail.readonly and calendar.readonly (plus calendar.events only with GOOGLE_CALENDAR_WRITE=true).',
  ].join('\n');
}
