import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, api, onSessionExpired, setCsrfToken } from "./api";
import { Layout } from "./components/layout";
import { PageTitle } from "./components/ui";
import { AppPage } from "./pages/app";
import { AppsPage } from "./pages/apps";
import { GroupPage } from "./pages/group";
import { GroupsPage } from "./pages/groups";
import { ImportPage } from "./pages/import";
import { MigrationPage } from "./pages/migration";
import { PeoplePage } from "./pages/people";
import { PersonPage } from "./pages/person";
import { SignInPage } from "./pages/sign-in";
import { SystemLogPage } from "./pages/system-log";
import { BASE, currentPath, Link, navigate, useLocation } from "./router";
import type { Session } from "./types";
import "./styles.css";

function Routes() {
  const { path } = useLocation();
  const [section = "", id, tab] = path.split("/").filter(Boolean).map(decodeURIComponent);
  switch (section) {
    case "people":
      return id ? <PersonPage key={id} id={id} /> : <PeoplePage />;
    case "groups":
      return id ? <GroupPage key={id} id={id} /> : <GroupsPage />;
    case "apps":
      return id ? <AppPage key={id} id={id} tab={tab ?? ""} /> : <AppsPage />;
    case "import":
      return <ImportPage />;
    case "logs":
      return <SystemLogPage />;
    case "migration":
      return <MigrationPage />;
    default:
      return (
        <section>
          <PageTitle>Page not found</PageTitle>
          <p>
            There is no console page at this address. Go to <Link href="/people">People</Link>.
          </p>
        </section>
      );
  }
}

/** The session decides between the sign-in page and the console; an expired one sends back to sign-in. */
function Console() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);

  const adopt = (s: Session | null) => {
    setCsrfToken(s?.csrfToken ?? null);
    setSession(s);
  };

  useEffect(() => {
    onSessionExpired(() => {
      setExpired(true);
      adopt(null);
    });
    api.get<Session>("/sessions/me").then(adopt, (e: unknown) => {
      if (e instanceof ApiError && (e.status === 401 || e.status === 404)) adopt(null);
      else throw e;
    });
  }, []);

  if (session === undefined) return null;
  if (session === null) {
    return (
      <SignInPage
        expired={expired}
        onSignedIn={(s) => {
          setExpired(false);
          adopt(s);
          // Back to where the person was (the address never changed while signing in).
          navigate(currentPath(), true);
        }}
      />
    );
  }
  return (
    <Layout
      session={session}
      onSignedOut={() => {
        adopt(null);
        navigate("/people", true);
      }}
    >
      <Routes />
    </Layout>
  );
}

// The console's home is the people list; its address says so.
if (/^\/admin\/?$/.test(location.pathname)) history.replaceState(null, "", `${BASE}/people${location.search}`);
render(<Console />, document.getElementById("app")!);
