/** A kubeconfig as the tests read it back (not a test file): the fields buildKubeconfig writes. */
export interface KubeconfigView {
  clusters: Array<{ name: string; cluster: { server: string; "certificate-authority-data": string } }>;
  "current-context": string;
  users: Array<{
    user: { exec: { command: string; args: string[]; env?: Array<{ name: string; value: string }> } };
  }>;
}
