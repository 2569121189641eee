import { api } from "../api";
import { Empty, ErrorNote, Loading, PageTitle, StatusBadge, useLoad } from "../components/ui";
import { Link } from "../router";
import type { App } from "../types";

export const APP_TYPES: Record<string, string> = {
  "aws-account-federation": "AWS Account Federation",
  "aws-iam-identity-center": "AWS IAM Identity Center",
  "generic-scim2": "SCIM 2.0",
};

export function AppsPage() {
  const { data, error } = useLoad(() => api.get<App[]>("/apps?limit=200"), []);
  return (
    <section>
      <PageTitle>Apps</PageTitle>
      <ErrorNote error={error} />
      {!data && !error && <Loading what="apps" />}
      {data?.length === 0 && (
        <Empty>No apps yet. Create one with the API or `rolebridge apps create` to federate into AWS.</Empty>
      )}
      {data && data.length > 0 && (
        <table>
          <caption class="sr-only">Apps</caption>
          <thead>
            <tr>
              <th scope="col">Label</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {data.map((a) => (
              <tr key={a.id}>
                <td>
                  <Link href={`/apps/${encodeURIComponent(a.slug)}`}>{a.label}</Link>
                </td>
                <td>{APP_TYPES[a.type] ?? a.type}</td>
                <td>
                  <StatusBadge status={a.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
