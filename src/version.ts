/** mjsim's version, as sent in the webhook User-Agent. Kept in step with package.json by a test. */
export const VERSION = '0.1.0';
