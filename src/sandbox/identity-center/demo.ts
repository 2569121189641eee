/** The Identity Center instance of fixtures/sandbox/demo.json; a test keeps these in step with the fixture. */
export const DEMO_IDENTITY_CENTER = {
  tenantId: "d-9067c0ffee",
  region: "us-east-1",
  /** Documented on purpose, like the demo's access keys: the sandbox is a local test tool. */
  scimToken: "rbDemoScimToken/d-9067c0ffee/DoNotUse+0003",
  permissionSets: ["AdministratorAccess", "ReadOnlyAccess"],
} as const;
