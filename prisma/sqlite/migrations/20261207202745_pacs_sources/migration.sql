-- CreateTable
CREATE TABLE "PacsSource" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "authKind" TEXT NOT NULL DEFAULT 'none',
    "username" TEXT,
    "secretEnv" TEXT,
    "projectId" INTEGER,
    "watermark" TEXT,
    "lastSyncAt" DATETIME,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PacsSource_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "PacsSource_name_key" ON "PacsSource"("name");
