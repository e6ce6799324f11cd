import { listProjectsRoute } from "./list.ts";
import { projectMembersRoute } from "./members.ts";
import { removeMemberRoute } from "./remove-member.ts";
import { setMemberRoute } from "./set-member.ts";

export const projectsRouter = {
  list: listProjectsRoute,
  members: projectMembersRoute,
  setMember: setMemberRoute,
  removeMember: removeMemberRoute,
};
