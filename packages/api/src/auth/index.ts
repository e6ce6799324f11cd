export { type Access, AccessDenied } from "./access.ts";
export { type Auth, getAuth, MIN_PASSWORD_LENGTH, SIGN_IN_ATTEMPTS_PER_MINUTE } from "./auth.ts";
export { handleAuth } from "./handler.ts";
export { addMembership, type CreatedUser, createUser, generatePassword, type NewUser } from "./users.ts";
export { resolveViewer, type Viewer } from "./viewer.ts";
