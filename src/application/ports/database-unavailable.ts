/**
 * Thrown by any persistence port when the database cannot be reached (refused, reset, timed out, shutting
 * down). It means "try again shortly", never "this data does not exist"; the HTTP adapter answers 503.
 */
export class DatabaseUnavailable extends Error {
  constructor() {
    super('The database is unavailable');
    this.name = 'DatabaseUnavailable';
  }
}
