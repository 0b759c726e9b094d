/**
 * Where trained outputs are kept between runs, keyed by the train cache key. `paths` are absolute
 * and identical on save and restore; an implementation puts the files back at those same paths.
 */
export interface ModelCache {
  /** true only when every requested path was restored for exactly this key. */
  restore(key: string, paths: string[]): Promise<boolean>;
  save(key: string, paths: string[]): Promise<void>;
}
