#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aw_roles.h"

static const char *const names[AW_NROLES] = { "viewer", "reviewer", "approver", "admin" };

const char *aw_role_name(enum aw_role r)
{
	return r >= 0 && r < AW_NROLES ? names[r] : "none";
}

enum aw_role aw_role_parse(const char *s)
{
	for (int i = 0; s && i < AW_NROLES; i++)
		if (strcmp(s, names[i]) == 0)
			return (enum aw_role)i;
	return AW_ROLE_NONE;
}

static const char *article(enum aw_role r)
{
	return r == AW_ROLE_APPROVER || r == AW_ROLE_ADMIN ? "an" : "a";
}

static const struct aw_ynode *kid(const struct aw_ynode *n, const char *key)
{
	for (size_t i = 0; n && n->type == AW_YMAP && i < n->nkids; i++)
		if (strcmp(n->kids[i]->key, key) == 0)
			return n->kids[i];
	return NULL;
}

int aw_users_load(struct aw_users *u, const struct aw_config *c)
{
	const char *file = c->path ? c->path : "configuration";
	const struct aw_ynode *list = aw_config_get(c, "users"), *ap = aw_config_get(c, "approvers");
	int rc = 0;

	memset(u, 0, sizeof *u);
	for (size_t i = 0; ap && ap->type == AW_YSEQ && i < ap->nkids; i++)
		if (ap->kids[i]->type == AW_YSCALAR && ap->kids[i]->value[0]) {
			u->approvers = aw_reallocarray(u->approvers, u->napprovers + 1,
			    sizeof *u->approvers);
			u->approvers[u->napprovers++] = aw_strdup(ap->kids[i]->value);
		}
	if (!list || list->type != AW_YSEQ)
		return 0;
	u->configured = 1;
	for (size_t i = 0; i < list->nkids; i++) {
		const struct aw_ynode *e = list->kids[i], *nm = kid(e, "name");
		const struct aw_ynode *roles = kid(e, "roles"), *dmas = kid(e, "dmas");
		if (!nm || nm->type != AW_YSCALAR || !nm->value[0]) {
			aw_error_at(file, e->line, "user without a name");
			rc = -1;
			continue;
		}
		int dup = 0;
		for (size_t j = 0; j < u->n; j++)
			dup |= strcmp(u->u[j].name, nm->value) == 0;
		if (dup) {
			aw_error_at(file, nm->line, "user %s listed twice", nm->value);
			rc = -1;
			continue;
		}
		struct aw_user usr = { aw_strdup(nm->value), AW_ROLE_NONE, NULL, 0 };
		for (size_t j = 0; roles && roles->type == AW_YSEQ && j < roles->nkids; j++) {
			enum aw_role r = aw_role_parse(roles->kids[j]->value);
			if (r == AW_ROLE_NONE) {
				aw_error_at(file, roles->kids[j]->line, "user %s: unknown role '%s' "
				    "(viewer, reviewer, approver, admin)", usr.name,
				    roles->kids[j]->value ? roles->kids[j]->value : "");
				rc = -1;
			} else if (r > usr.role) {
				usr.role = r;
			}
		}
		if (usr.role == AW_ROLE_NONE && rc == 0) {
			aw_error_at(file, e->line, "user %s has no role", usr.name);
			rc = -1;
		}
		for (size_t j = 0; dmas && dmas->type == AW_YSEQ && j < dmas->nkids; j++) {
			const char *d = dmas->kids[j]->value;
			if (d && strcmp(d, "*") == 0) {
				for (size_t k = 0; k < usr.ndmas; k++)
					free(usr.dmas[k]);
				free(usr.dmas);
				usr.dmas = NULL;
				usr.ndmas = 0;
				break;
			}
			usr.dmas = aw_reallocarray(usr.dmas, usr.ndmas + 1, sizeof *usr.dmas);
			usr.dmas[usr.ndmas++] = aw_strdup(d ? d : "");
		}
		u->u = aw_reallocarray(u->u, u->n + 1, sizeof *u->u);
		u->u[u->n++] = usr;
	}
	return rc;
}

void aw_users_free(struct aw_users *u)
{
	for (size_t i = 0; i < u->n; i++) {
		for (size_t k = 0; k < u->u[i].ndmas; k++)
			free(u->u[i].dmas[k]);
		free(u->u[i].dmas);
		free(u->u[i].name);
	}
	for (size_t i = 0; i < u->napprovers; i++)
		free(u->approvers[i]);
	free(u->u);
	free(u->approvers);
	memset(u, 0, sizeof *u);
}

enum aw_role aw_users_role(const struct aw_users *u, const char *name)
{
	for (size_t i = 0; name && i < u->n; i++)
		if (strcmp(u->u[i].name, name) == 0)
			return u->u[i].role;
	return AW_ROLE_NONE;
}

int aw_users_may(const struct aw_users *u, const char *name, enum aw_role need, const char *dma,
    char *why, size_t n)
{
	if (!u->configured) {
		if (need != AW_ROLE_APPROVER || !u->napprovers)
			return 1;
		for (size_t i = 0; name && i < u->napprovers; i++)
			if (strcmp(u->approvers[i], name) == 0)
				return 1;
		snprintf(why, n, "%s is not an approver", name ? name : "nobody");
		return 0;
	}
	if (!name || !*name) {
		snprintf(why, n, "users are configured: say who with --by NAME");
		return 0;
	}
	for (size_t i = 0; i < u->n; i++) {
		const struct aw_user *usr = &u->u[i];
		if (strcmp(usr->name, name) != 0)
			continue;
		if (usr->role < need) {
			snprintf(why, n, "%s is %s %s; this needs %s %s", name, article(usr->role),
			    aw_role_name(usr->role), article(need), aw_role_name(need));
			return 0;
		}
		if (!usr->dmas)
			return 1;
		for (size_t k = 0; dma && k < usr->ndmas; k++)
			if (strcmp(usr->dmas[k], dma) == 0)
				return 1;
		if (dma)
			snprintf(why, n, "%s is not a %s for DMA %s", name, aw_role_name(need), dma);
		else
			snprintf(why, n, "%s is a %s for some DMAs only; this needs all", name,
			    aw_role_name(need));
		return 0;
	}
	snprintf(why, n, "%s is not a configured user", name);
	return 0;
}
