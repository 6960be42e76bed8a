// A small frontend flow written against the types openapi-typescript generates from the served /openapi/v1.json
// (./api.d.ts, made by the tests next to a copy of this file). tsc type-checks it, so a document that lies about a
// route, a body, a parameter or a header breaks the build; the browser test runs the compiled flow against the server.
import createClient from "openapi-fetch";
import type { components, paths } from "./api";

type Task = components["schemas"]["TaskView"];

export interface FlowReport {
  userId: string;
  tasks: number;
  todo: string[];
  resultId: string;
  completionRate: number;
  steps: string[];
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new Error(`check failed: ${message}`);
  }
}

export async function runFlow(baseUrl: string, email: string, password: string): Promise<FlowReport> {
  const steps: string[] = [];
  const api = createClient<paths>({ baseUrl });

  // Register, then sign in again with the same credentials; a wrong password is a typed error.
  const registered = await api.POST("/api/v1/auth/register", { body: { email, password, display_name: "Flow" } });
  check(registered.response.status === 201 && registered.data !== undefined, `register answered ${registered.response.status}`);
  check(registered.response.headers.get("Location") === "/api/v1/me", "register gives the profile's Location");
  const userId = registered.data.data.user.id;
  steps.push("registered");

  const refused = await api.POST("/api/v1/auth/login", { body: { email, password: `${password}-wrong` } });
  check(refused.error?.error.code === "INVALID_CREDENTIALS", `a wrong password answered ${refused.response.status}`);
  const login = await api.POST("/api/v1/auth/login", { body: { email, password } });
  check(login.data !== undefined, `login answered ${login.response.status}`);
  check(login.data.data.token_type === "Bearer" && login.data.data.user.id === userId, "login signs in the registered user");
  const token = login.data.data.access_token;
  steps.push("logged in");

  const me = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });

  // Tasks: created with every optional field, without them, and once more under an Idempotency-Key (a retry).
  const report = await me.POST("/api/v1/me/tasks", {
    body: { name: "Write report", description: "Quarterly", status: "todo", due_at: "2030-01-01T09:00:00.000Z", metadata: { category: "work", tags: ["q4"] } },
  });
  check(report.data !== undefined && report.response.status === 201, `create answered ${report.response.status}`);
  const reportTask: Task = report.data.data;
  check(report.response.headers.get("Location") === `/api/v1/me/tasks/${reportTask.id}`, "create gives the task's Location");
  check(report.response.headers.get("ETag") === `"${reportTask.version}"`, "create gives the task's ETag");

  const milk = await me.POST("/api/v1/me/tasks", { body: { name: "Buy milk" } });
  check(milk.data?.data.status === "todo" && milk.data.data.due_at === null, "optional fields have their defaults");

  const key = `flow-${userId}`;
  const call = await me.POST("/api/v1/me/tasks", { params: { header: { "Idempotency-Key": key } }, body: { name: "Call bank", status: "in_progress" } });
  const retry = await me.POST("/api/v1/me/tasks", { params: { header: { "Idempotency-Key": key } }, body: { name: "Call bank", status: "in_progress" } });
  check(call.data !== undefined && retry.data?.data.id === call.data.data.id && retry.response.status === 201, "a retried create answers the first task");

  const duplicate = await me.POST("/api/v1/me/tasks", { body: { name: "buy MILK" } });
  check(duplicate.response.status === 409 && duplicate.error?.error.code === "DUPLICATE_NAME", "a duplicate name is refused");
  steps.push("created tasks");

  // Lists: typed query parameters; one the document does not list does not compile, and the server refuses it.
  const todo = await me.GET("/api/v1/me/tasks", { params: { query: { status: "todo", sort: "name:asc", limit: 10 } } });
  check(todo.data !== undefined, `list answered ${todo.response.status}`);
  check(todo.data.pagination.total === 2 && !todo.data.pagination.has_more, "two tasks to do");
  // @ts-expect-error: `page` is not a parameter of the task list.
  const paged = await me.GET("/api/v1/me/tasks", { params: { query: { page: 2 } } });
  check(paged.response.status === 400 && paged.error?.error.details?.[0]?.issue === "unknown_parameter", "an unknown query parameter is refused");
  steps.push("listed tasks");

  // Updates are conditional on the ETag read before; a stale one is refused.
  const read = await me.GET("/api/v1/me/tasks/{id}", { params: { path: { id: reportTask.id } } });
  const etag = read.response.headers.get("ETag");
  check(read.data !== undefined && etag !== null, "a task read carries its ETag");
  const done = await me.PATCH("/api/v1/me/tasks/{id}", { params: { path: { id: reportTask.id }, header: { "If-Match": etag } }, body: { status: "done" } });
  check(done.data?.data.status === "done" && done.data.data.version > read.data.data.version, "the patch applied");
  const stale = await me.PATCH("/api/v1/me/tasks/{id}", { params: { path: { id: reportTask.id }, header: { "If-Match": etag } }, body: { description: null } });
  check(stale.response.status === 412 && stale.error?.error.code === "PRECONDITION_FAILED", "a stale If-Match is refused");
  const replaced = await me.PUT("/api/v1/me/tasks/{id}", { params: { path: { id: milk.data.data.id } }, body: { name: "Buy oat milk", status: "done" } });
  check(replaced.data?.data.name === "Buy oat milk" && replaced.data.data.metadata.tags.length === 0, "the replace applied");
  steps.push("updated tasks");

  // Results: generated once per data version, then read back.
  const generated = await me.POST("/api/v1/me/results");
  check(generated.data !== undefined && generated.response.status === 201, `generate answered ${generated.response.status}`);
  const summary = generated.data.data.summary;
  check(summary.tasks_total === 3 && summary.by_status["done"] === 2 && summary.by_category["work"] === 1, "the result counts the tasks");
  const again = await me.POST("/api/v1/me/results");
  check(again.response.status === 200 && again.data?.data.id === generated.data.data.id, "an unchanged user gets the same result");
  const latest = await me.GET("/api/v1/me/results/latest");
  const listed = await me.GET("/api/v1/me/results", { params: { query: { limit: 5 } } });
  check(latest.data?.data.id === generated.data.data.id && listed.data?.data.length === 1, "the result reads back");
  steps.push("generated results");

  return {
    userId,
    tasks: summary.tasks_total,
    todo: todo.data.data.map((task) => task.name),
    resultId: generated.data.data.id,
    completionRate: summary.completion_rate,
    steps,
  };
}
