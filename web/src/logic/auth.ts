import type { Role } from '../types';

export interface Claims { tenant: string; project: string; role: Role; sub: string; exp?: number }

const roles: Role[] = ['tenant-admin', 'project-admin', 'project-editor', 'viewer'];

function base64UrlDecode(s: string): string {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
  const bin = atob(b64);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

// decodeClaims reads the JWT payload to show who is signed in and which
// buttons the role may use. The API still checks the signature and the
// role on every call; this is presentation only.
export function decodeClaims(token: string): Claims {
  const parts = token.trim().split('.');
  if (parts.length !== 3) throw new Error('not a JWT: expected three dot-separated parts');
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(base64UrlDecode(parts[1]));
  } catch {
    throw new Error('not a JWT: the payload is not base64url JSON');
  }
  const { tenant, project, role, sub, exp } = payload;
  if (typeof tenant !== 'string' || typeof project !== 'string' || typeof sub !== 'string') {
    throw new Error('the token has no tenant, project or sub claim');
  }
  if (typeof role !== 'string' || !roles.includes(role as Role)) {
    throw new Error(`the token's role ${JSON.stringify(role)} is not one of ${roles.join(', ')}`);
  }
  return { tenant, project, role: role as Role, sub, exp: typeof exp === 'number' ? exp : undefined };
}

export function isExpired(c: Claims, nowMs: number): boolean {
  return c.exp !== undefined && c.exp * 1000 <= nowMs;
}

const rank: Record<Role, number> = { viewer: 0, 'project-editor': 1, 'project-admin': 2, 'tenant-admin': 3 };

// The API's route table (shared/api/routes.go) with its minimum roles.
export const can = {
  edit: (r: Role) => rank[r] >= rank['project-editor'], // clusters, profiles, node pools, delete, validate
  admin: (r: Role) => rank[r] >= rank['project-admin'], // cloud accounts, force delete
};
