export { type Access, AccessDenied } from "./access.ts";
export { type Auth, getAuth, MIN_PASSWORD_LENGTH, SIGN_IN_ATTEMPTS_PER_MINUTE } from "./auth.ts";
export { handleAuth, serveAuth } from "./handler.ts";
export { ONE_TIME_PASSWORD_EXPIRED, ONE_TIME_PASSWORD_HOURS } from "./one-time-password.ts";
export {
  addMembership,
  type CreatedUser,
  createUser,
  disableUser,
  enableUser,
  generatePassword,
  issueOneTimePassword,
  type NewUser,
} from "./users.ts";
export { resolveViewer, type Viewer } from "./viewer.ts";
