/**
 * The IRSA-chained link set (`irsa-chained`): the seven links of its catalogue, checked on an
 * {@link IrsaChainedSnapshot}. Words and fixes come from the catalogue; the link files decide only
 * pass or fail and what was compared: `webIdentityLinks.ts` (1-3), `serviceAccountLink.ts` (4),
 * `roleChainLinks.ts` (5-6). The permission link is the permission link all mechanisms share (on
 * the target role). Pure.
 */
import { livePermissionLink } from "../../chain/permission";
import { plannedPermissionLink } from "../../chain/plannedPermission";
import { parsePolicy } from "../../chain/evaluation";
import { tryNormalize } from "../../chain/oidcProvider";
import { type CheckResult } from "../../chain/result";
import { roleChainLinks } from "./roleChainLinks";
import { serviceAccountLink } from "./serviceAccountLink";
import { type IrsaChainedSnapshot } from "./snapshot";
import { issuerLink, providerLink, sourceTrustLink } from "./webIdentityLinks";

/**
 * Checks the seven links of the IRSA-chained chain on a snapshot. Every failing check names its link
 * and carries the catalogue's fix; facts the snapshot marks unavailable give skipped checks.
 */
export function checkIrsaChainedChain(s: IrsaChainedSnapshot): CheckResult[] {
  const issuer = tryNormalize(s.issuerUrl);
  const sourceTrust = parsePolicy(s.sourceRole?.trustPolicy);
  return [
    ...issuerLink(s, issuer),
    ...providerLink(s, issuer),
    ...sourceTrustLink(s, sourceTrust),
    ...serviceAccountLink(s),
    ...roleChainLinks(s),
    // Live: the role's attached policies and boundary, the bucket policy, the object and its KMS key.
    ...(s.live ? livePermissionLink(s, 6) : plannedPermissionLink(s)),
  ];
}
