import { meRoute } from "./me.ts";
import { mentionsRoute } from "./mentions.ts";
import { passwordChangedRoute } from "./password-changed.ts";

export const accountRouter = {
  me: meRoute,
  mentions: mentionsRoute,
  passwordChanged: passwordChangedRoute,
};
