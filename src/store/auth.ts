/**
 * Anything that can sign a request: google-auth-library's `GoogleAuth`, `OAuth2Client`, `JWT`,
 * `Impersonated`... or a user's own object with the same method.
 */
export interface AuthClient {
  getRequestHeaders(url?: string): Promise<Headers | Record<string, string> | Map<string, string>>;
}
