/**
 * The AWS partitions, and which one a region belongs to, from the region's prefix. One table: the
 * programs, the policy builders and the offline engine all derive ARNs from it. Pure.
 */
import { InputError } from "./errors";

/**
 * Each partition with the region-name pattern AWS publishes for it (the SDK's partitions.json,
 * `regionRegex`: aws/aws-sdk-js-v3, packages/util-endpoints/src/lib/aws/partitions.json).
 */
export const PARTITION_REGIONS: ReadonlyArray<{ partition: string; regionRegex: RegExp }> = [
  { partition: "aws", regionRegex: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/ },
  { partition: "aws-cn", regionRegex: /^cn-\w+-\d+$/ },
  { partition: "aws-us-gov", regionRegex: /^us-gov-\w+-\d+$/ },
  { partition: "aws-iso", regionRegex: /^us-iso-\w+-\d+$/ },
  { partition: "aws-iso-b", regionRegex: /^us-isob-\w+-\d+$/ },
  { partition: "aws-iso-e", regionRegex: /^eu-isoe-\w+-\d+$/ },
  { partition: "aws-iso-f", regionRegex: /^us-isof-\w+-\d+$/ },
  { partition: "aws-eusc", regionRegex: /^eusc-(de)-\w+-\d+$/ },
];

/** The AWS partitions whose ARNs this package accepts. */
export const AWS_PARTITIONS: readonly string[] = PARTITION_REGIONS.map((p) => p.partition);

/**
 * The partition of a region. The more specific prefixes are tried first (`us-gov-` and `us-iso-` also
 * match the `aws` pattern's `us-`). Throws an `InputError` naming the field for a region of no
 * known partition, rather than guessing `aws`.
 */
export function partitionOfRegion(field: string, region: string): string {
  const specific = PARTITION_REGIONS.filter((p) => p.partition !== "aws").find((p) =>
    p.regionRegex.test(region),
  );
  if (specific) return specific.partition;
  if (PARTITION_REGIONS[0].regionRegex.test(region)) return "aws";
  throw new InputError(
    field,
    region,
    `is in no AWS partition this package knows (${AWS_PARTITIONS.join(", ")}): its prefix decides the partition of every ARN`,
  );
}
