// Error answers exactly as the Bot API writes them: {ok:false, error_code, description, parameters?}.
// Descriptions carry the "Bad Request: " / "Conflict: " / "Too Many Requests: " prefix the real
// server adds (telegram-bot-api Client::fail_query_with_error).

export interface ResponseParameters {
  retry_after?: number;
  migrate_to_chat_id?: number;
}

export class TelegramApiError extends Error {
  readonly errorCode: number;
  readonly description: string;
  readonly parameters: ResponseParameters | undefined;

  constructor(errorCode: number, description: string, parameters?: ResponseParameters) {
    super(`${errorCode}: ${description}`);
    this.name = 'TelegramApiError';
    this.errorCode = errorCode;
    this.description = description;
    this.parameters = parameters;
  }

  toBody(): Record<string, unknown> {
    const body: Record<string, unknown> = {
      ok: false,
      error_code: this.errorCode,
      description: this.description,
    };
    if (this.parameters !== undefined) body['parameters'] = this.parameters;
    return body;
  }
}

export function badRequest(message: string): TelegramApiError {
  return new TelegramApiError(400, `Bad Request: ${message}`);
}

export function tooManyRequests(retryAfterSeconds: number): TelegramApiError {
  return new TelegramApiError(429, `Too Many Requests: retry after ${retryAfterSeconds}`, {
    retry_after: retryAfterSeconds,
  });
}

export function conflict(message: string): TelegramApiError {
  return new TelegramApiError(409, `Conflict: ${message}`);
}

export const OTHER_GET_UPDATES =
  'terminated by other getUpdates request; make sure that only one bot instance is running';
export const WEBHOOK_ACTIVE =
  "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
export const TERMINATED_BY_SET_WEBHOOK = 'terminated by setWebhook request';

export const UNAUTHORIZED = new TelegramApiError(401, 'Unauthorized');
export const NOT_FOUND = new TelegramApiError(404, 'Not Found');
