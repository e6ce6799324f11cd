-- CreateTable
CREATE TABLE "PacsSource" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "authKind" TEXT NOT NULL DEFAULT 'none',
    "username" TEXT,
    "secretEnv" TEXT,
    "projectId" INTEGER,
    "watermark" TEXT,
    "lastSyncAt" TIMESTAMP(3),
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PacsSource_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PacsSource_name_key" ON "PacsSource"("name");

-- AddForeignKey
ALTER TABLE "PacsSource" ADD CONSTRAINT "PacsSource_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE SET NULL ON UPDATE CASCADE;
