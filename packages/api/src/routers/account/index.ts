import { meRoute } from "./me.ts";
import { passwordChangedRoute } from "./password-changed.ts";

export const accountRouter = {
  me: meRoute,
  passwordChanged: passwordChangedRoute,
};
