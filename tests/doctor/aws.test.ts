import { expect } from "chai";
import { accountClients } from "../../doctor/aws";

describe("doctor: the AWS clients' endpoints", () => {
  it("come from the settings' environment, with S3 path-style when it names one (not from process.env)", async () => {
    expect(process.env.AWS_ENDPOINT_URL_S3).to.equal(undefined);
    const clients = await accountClients({
      env: { AWS_ENDPOINT_URL: "http://127.0.0.1:4566", AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9000" },
      credentials: { accessKeyId: "a", secretAccessKey: "b" },
      record: () => undefined,
    });
    try {
      const s3 = clients.s3("us-east-1");
      const s3Endpoint = await s3.config.endpoint?.();
      expect(s3Endpoint?.hostname).to.equal("127.0.0.1");
      expect(s3Endpoint?.port).to.equal(9000);
      expect(s3.config.forcePathStyle).to.equal(true);
      const iamEndpoint = await clients.iam.config.endpoint?.();
      expect(iamEndpoint?.port).to.equal(4566);
    } finally {
      clients.destroy();
    }
  });
});
