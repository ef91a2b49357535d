/**
 * The KMS check judges the key as AWS does for the role's own request (review of the doctor's live
 * checks, each case cross-checked with @cloud-copilot/iam-simulate):
 *
 * - a key policy is evaluated for the role's ARN, so `aws:PrincipalArn` is the role and a statement
 *   naming the role's account applies to it, a Deny included (it asked about the account's root ARN
 *   before, and passed a delegation that excluded the role);
 * - a grant in the key policy stands only if no policy of the role denies kms:Decrypt: unread policies
 *   leave it undecided, and a boundary read with the role still bounds it (both passed before);
 * - an AWS managed key is refused by an explicit deny in the role's policies (it passed before).
 *
 * The documents are written as the AWS CLI or boto3 would send them: one statement object, string
 * actions, extra conditions.
 */
import { expect } from "chai";
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { type IrsaSnapshot } from "../../chain";
import { checkChain } from "../../mechanisms";
import { B, KEY, ROLE, find, live } from "./liveSnapshot";

const ROOT = `arn:aws:iam::${B}:root`;
const SESSION = `arn:aws:sts::${B}:assumed-role/reader/botocore-session-1`;
const BOUNDARY_ARN = `arn:aws:iam::${B}:policy/s3-only`;

/** The role's policy as `aws iam put-role-policy` takes it: one statement object. */
const IDENTITY = {
  Version: "2012-10-17",
  Statement: { Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket", "kms:Decrypt"], Resource: "*" },
};
const DENY_KMS = {
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: "*" },
    { Sid: "NoKms", Effect: "Deny", Action: "kms:*", Resource: "*" },
  ],
};
const S3_ONLY = { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "s3:*", Resource: "*" } };

/** Delegates to the account, except to the role (by aws:PrincipalArn). */
const DELEGATE_EXCEPT_ROLE = {
  Version: "2012-10-17",
  Statement: {
    Sid: "AccountExceptReader",
    Effect: "Allow",
    Principal: { AWS: ROOT },
    Action: "kms:*",
    Resource: "*",
    Condition: { ArnNotEquals: { "aws:PrincipalArn": ROLE } },
  },
};
const DELEGATE = {
  Version: "2012-10-17",
  Statement: { Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" },
};
/** Grants the role, and denies the account's roles matching a pattern (the role among them). */
const GRANT_THEN_DENY_ACCOUNT = {
  Version: "2012-10-17",
  Statement: [
    { Sid: "Reader", Effect: "Allow", Principal: { AWS: ROLE }, Action: "kms:Decrypt", Resource: "*" },
    {
      Sid: "NoReaders",
      Effect: "Deny",
      Principal: { AWS: ROOT },
      Action: "kms:*",
      Resource: "*",
      Condition: { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${B}:role/read*` } },
    },
  ],
};
const DIRECT = {
  Version: "2012-10-17",
  Statement: { Effect: "Allow", Principal: { AWS: ROLE }, Action: "kms:Decrypt", Resource: "*" },
};
/** The aws/s3 key's policy, as AWS writes it for an AWS managed key. */
const AWS_S3_KEY_POLICY = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      Resource: "*",
      Condition: {
        StringEquals: { "kms:CallerAccount": B, "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
      },
    },
  ],
};

/** A customer managed key's grant to every principal of the account (Principal "*", kms:CallerAccount). */
const EVERYONE = {
  Version: "2012-10-17",
  Statement: {
    Effect: "Allow",
    Principal: "*",
    Action: "kms:Decrypt",
    Resource: "*",
    Condition: { StringEquals: { "kms:CallerAccount": B } },
  },
};

/** iam-simulate's answer to the role's session calling kms:Decrypt on the key. */
function simulate(keyPolicy: object, identity: object, boundary?: object): string {
  return runUnsafeSimulation(
    {
      request: {
        principal: SESSION,
        action: "kms:Decrypt",
        resource: { resource: KEY, accountId: B },
        contextVariables: {
          "aws:PrincipalArn": ROLE,
          "kms:CallerAccount": B,
          "kms:ViaService": "s3.eu-west-1.amazonaws.com",
        },
      },
      identityPolicies: [{ name: "inline", policy: identity }],
      permissionBoundaryPolicies: boundary !== undefined ? [{ name: "boundary", policy: boundary }] : [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: { __validated: true, policyDocument: keyPolicy, metadata: { name: "key" }, errors: [] },
    },
    {},
  );
}

/** The live snapshot with the role's policy and the key's policy (undefined: an AWS managed key). */
const chain = (
  identity: object,
  keyPolicy: object | undefined,
  change: (s: IrsaSnapshot) => void = () => {},
) =>
  live((s) => {
    s.permissionPolicies = { inline: JSON.stringify(identity) };
    s.live!.kmsKey =
      keyPolicy === undefined
        ? { arn: KEY, awsManaged: true }
        : { arn: KEY, awsManaged: false, policy: JSON.stringify(keyPolicy) };
    change(s);
  });
const kms = (s: IrsaSnapshot) => find(checkChain(s), /kms:Decrypt/);
/** The role's policies could not be read (ListRolePolicies refused). */
const unread = (s: IrsaSnapshot) => {
  s.unavailable = { ...s.unavailable, permission: "ListRolePolicies reader: AccessDenied" };
};

describe("the KMS check asks the key policy about the role itself", () => {
  it("a delegation to the account that excludes the role by aws:PrincipalArn: fail (was: pass)", () => {
    expect(simulate(DELEGATE_EXCEPT_ROLE, IDENTITY)).to.equal("ImplicitlyDenied");
    expect(kms(chain(IDENTITY, DELEGATE_EXCEPT_ROLE)).status).to.equal("fail");
    // The same delegation without the exception: allowed by both.
    expect(simulate(DELEGATE, IDENTITY)).to.equal("Allowed");
    expect(kms(chain(IDENTITY, DELEGATE))).to.deep.include({ status: "pass" });
    expect(kms(chain(IDENTITY, DELEGATE)).detail).to.contain(`delegates to account ${B}`);
  });

  it("a Deny naming the account applies to the role beside a grant naming it: fail, policies read or not", () => {
    expect(simulate(GRANT_THEN_DENY_ACCOUNT, IDENTITY)).to.equal("ExplicitlyDenied");
    const read = kms(chain(IDENTITY, GRANT_THEN_DENY_ACCOUNT));
    expect(read.status).to.equal("fail");
    expect(read.detail).to.contain("NoReaders");
    const notRead = kms(chain(IDENTITY, GRANT_THEN_DENY_ACCOUNT, unread));
    expect(notRead.status).to.equal("fail");
    expect(notRead.detail).to.contain("NoReaders");
  });
});

describe("the KMS check without the role's policies", () => {
  it("a key policy granting the role: not decided, since the unread policies may deny it (was: pass)", () => {
    expect(simulate(DIRECT, DENY_KMS)).to.equal("ExplicitlyDenied");
    for (const change of [
      unread,
      (s: IrsaSnapshot) => {
        delete s.role;
        s.live!.roleArn = ROLE;
        s.live!.roleError = "GetRole reader: AccessDenied";
      },
    ]) {
      const r = kms(chain(IDENTITY, DIRECT, change));
      expect(r.status).to.equal("skip");
      expect(r.detail).to.contain(
        "unless the role's policies deny it: the role's policies could not be read",
      );
    }
  });

  it("a boundary read with the role still bounds a grant to it: fail (was: pass)", () => {
    expect(simulate(DIRECT, IDENTITY, S3_ONLY)).to.equal("ImplicitlyDenied");
    const r = kms(
      chain(IDENTITY, DIRECT, (s) => {
        unread(s);
        s.role = { ...s.role!, boundary: { arn: BOUNDARY_ARN, policy: JSON.stringify(S3_ONLY) } };
      }),
    );
    expect(r.status).to.equal("fail");
    expect(r.detail).to.contain(BOUNDARY_ARN);
  });
});

describe("the KMS check with a boundary and a grant to every principal", () => {
  const bounded = (boundary: object, change: (s: IrsaSnapshot) => void = () => {}) =>
    chain(IDENTITY, EVERYONE, (s) => {
      s.role = { ...s.role!, boundary: { arn: BOUNDARY_ARN, policy: JSON.stringify(boundary) } };
      change(s);
    });

  it("a boundary without kms:Decrypt: not decided, AWS documents no rule for it (was: fail)", () => {
    // iam-simulate lets it through; a grant naming the role's ARN it bounds (below).
    expect(simulate(EVERYONE, IDENTITY, S3_ONLY)).to.equal("Allowed");
    expect(simulate(DIRECT, IDENTITY, S3_ONLY)).to.equal("ImplicitlyDenied");
    for (const change of [() => {}, unread]) {
      const r = kms(bounded(S3_ONLY, change));
      expect(r.status).to.equal("warn");
      expect(r.detail).to.contain("limits a key policy's grant to every principal (not documented)");
    }
    const named = kms(
      chain(IDENTITY, DIRECT, (s) => {
        s.role = { ...s.role!, boundary: { arn: BOUNDARY_ARN, policy: JSON.stringify(S3_ONLY) } };
      }),
    );
    expect(named.status).to.equal("fail");
    // Named as the grant it is, bounded: not as a delegation to the account.
    expect(named.detail).to.not.contain("delegates");
    expect(named.detail).to.contain(`permissions boundary ${BOUNDARY_ARN} does not allow it`);
  });

  it('the role named beside "*", or beside a grant to everyone through S3: not decided either (they failed)', () => {
    const beside = {
      Version: "2012-10-17",
      Statement: { Effect: "Allow", Principal: { AWS: ["*", ROLE] }, Action: "kms:Decrypt", Resource: "*" },
    };
    // The role's own statement, and AWS's usual grant to the account's principals through S3.
    const throughS3 = {
      Version: "2012-10-17",
      Statement: [DIRECT.Statement, { ...AWS_S3_KEY_POLICY.Statement[0], Sid: "ThroughS3" }],
    };
    for (const keyPolicy of [beside, throughS3]) {
      expect(simulate(keyPolicy, IDENTITY, S3_ONLY)).to.equal("Allowed");
      const r = kms(
        chain(IDENTITY, keyPolicy, (s) => {
          s.role = { ...s.role!, boundary: { arn: BOUNDARY_ARN, policy: JSON.stringify(S3_ONLY) } };
        }),
      );
      expect(r.status, JSON.stringify(keyPolicy)).to.equal("warn");
    }
  });

  it("an undecided grant naming the role does not hide a grant to everyone that decides (it warned)", () => {
    const keyPolicy = {
      Version: "2012-10-17",
      Statement: [
        {
          ...DIRECT.Statement,
          Condition: { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } },
        },
        EVERYONE.Statement,
      ],
    };
    const withKms = {
      Version: "2012-10-17",
      Statement: { Effect: "Allow", Action: ["s3:*", "kms:Decrypt"], Resource: "*" },
    };
    expect(simulate(keyPolicy, IDENTITY, withKms)).to.equal("Allowed");
    const r = kms(
      chain(IDENTITY, keyPolicy, (s) => {
        s.role = { ...s.role!, boundary: { arn: BOUNDARY_ARN, policy: JSON.stringify(withKms) } };
      }),
    );
    expect(r.status).to.equal("pass");
  });

  it("a boundary that allows kms:Decrypt: pass, naming the grant, not a delegation", () => {
    const withKms = {
      Version: "2012-10-17",
      Statement: { Effect: "Allow", Action: ["s3:*", "kms:Decrypt"], Resource: "*" },
    };
    const r = kms(bounded(withKms));
    expect(r.status).to.equal("pass");
    expect(r.detail).to.not.contain("delegates");
  });
});

describe("the KMS check's request context", () => {
  it("a key policy condition on aws:SecureTransport is not decided: S3's request is not documented to reach KMS", () => {
    // AWS's own example resource control policy denies kms:* under BoolIfExists aws:SecureTransport
    // "false": when the key is absent from KMS's request the Deny applies, when it is "true" it does not.
    const guarded = {
      Version: "2012-10-17",
      Statement: [
        DELEGATE.Statement,
        {
          Effect: "Deny",
          Principal: "*",
          Action: "kms:*",
          Resource: "*",
          Condition: { BoolIfExists: { "aws:SecureTransport": "false" } },
        },
      ],
    };
    const r = kms(chain(IDENTITY, guarded));
    expect(r.status).to.equal("warn");
    expect(r.detail).to.contain("aws:SecureTransport");
  });
});

describe("the KMS check on an AWS managed key reads the role's policies", () => {
  it("an explicit deny of kms:* in the role's policy: fail (was: pass)", () => {
    expect(simulate(AWS_S3_KEY_POLICY, DENY_KMS)).to.equal("ExplicitlyDenied");
    const r = kms(chain(DENY_KMS, undefined));
    expect(r.status).to.equal("fail");
    expect(r.detail).to.contain("NoKms");
  });

  it("no deny: pass, as AWS allows it through S3; unread policies: not decided", () => {
    expect(simulate(AWS_S3_KEY_POLICY, IDENTITY)).to.equal("Allowed");
    expect(kms(chain(IDENTITY, undefined)).status).to.equal("pass");
    const r = kms(chain(IDENTITY, undefined, unread));
    expect(r.status).to.equal("skip");
    expect(r.detail).to.contain("unless the role's policies deny it");
  });
});
