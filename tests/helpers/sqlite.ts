// Reading a cache file in a test, the way a user would look at it: a read-only connection per
// query, closed after it, so the test never holds a lock the code under test could wait for.

import { Database } from "bun:sqlite";

export function queryFile<T = Record<string, unknown>>(
  path: string,
  sql: string,
  options: { safeIntegers?: boolean } = {},
): T[] {
  const db = new Database(path, { readonly: true });
  // Like run_sql_query: wait out a lock another connection holds briefly (a checkpoint on close).
  db.exec("PRAGMA busy_timeout = 5000");
  try {
    return db
      .query(sql)
      .safeIntegers(options.safeIntegers ?? false)
      .all() as T[];
  } finally {
    db.close();
  }
}
