import { BackendError } from "../errors.ts";

/**
 * Loads an optional peer dependency with dynamic `import()`, so the core loads without it.
 * A missing package becomes an error that says what to install.
 */
export async function loadDriver<T>(pkg: string, feature: string, importer: () => Promise<unknown>): Promise<T> {
  try {
    return (await importer()) as T;
  } catch (err) {
    if (isModuleNotFound(err, pkg)) {
      throw new BackendError(
        `${feature} needs the optional package "${pkg}", which is not installed. Run: npm install ${pkg}`,
        { package: pkg, feature },
        { cause: err },
      );
    }
    throw new BackendError(`${feature}: loading "${pkg}" failed: ${messageOf(err)}`, { package: pkg, feature }, { cause: err });
  }
}

function isModuleNotFound(err: unknown, pkg: string): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false;
  // Only when the package itself is missing, not one of its own imports.
  const msg = messageOf(err);
  return msg.includes(`'${pkg}'`) || msg.includes(`"${pkg}"`);
}

export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
