/**
 * Anything that can sign a request: google-auth-library's `GoogleAuth`, `OAuth2Client`, `JWT`,
 * `Impersonated`... or a user's own object with the same method.
 *
 * @example
 * ```ts
 * import { GoogleAuth } from 'google-auth-library';
 *
 * const authClient: AuthClient = new GoogleAuth({
 *   scopes: ['https://www.googleapis.com/auth/devstorage.read_write'],
 * });
 * const lock = new Lock('gs://my-bucket/locks/job', { authClient });
 * ```
 */
export interface AuthClient {
  getRequestHeaders(url?: string): Promise<Headers | Record<string, string> | Map<string, string>>;
}
