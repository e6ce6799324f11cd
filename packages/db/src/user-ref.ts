/** Who wrote, was mentioned, starred or promoted: enough to show and to link a user. */
export interface UserRef {
  id: string;
  name: string;
  email: string;
}

/** The Prisma select that reads a UserRef. */
export const USER_REF = { id: true, name: true, email: true } as const;
