// A file a build replaced: marked retired (a later start-up removes it if nobody did), then deleted by whoever reads it last.
import Database from 'better-sqlite3';

/** Marks a read-model file retired, when it is one of this layout (the previous layout's file has no metadata); returns it. */
export function retireFile(file: string): string {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'read_model'").get() !== undefined;
    if (hasMeta) db.prepare("UPDATE read_model SET state = 'retired'").run();
  } catch {
    // gone or unreadable: deleting it is all that is left to do
  } finally {
    db?.close();
  }
  return file;
}
