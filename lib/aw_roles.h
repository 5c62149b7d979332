/* Users and their roles per DMA (config key users), checked before aw-workorder changes
 * anything. Roles rise viewer < reviewer < approver < admin; a role includes those below.
 * The name given with --by is an assertion, not a login: access to the state directory
 * is what the file permissions allow. */
#ifndef AW_ROLES_H
#define AW_ROLES_H
#include <stddef.h>

#include "aw_config.h"

enum aw_role { AW_ROLE_NONE = -1, AW_ROLE_VIEWER, AW_ROLE_REVIEWER, AW_ROLE_APPROVER,
	AW_ROLE_ADMIN, AW_NROLES };

const char *aw_role_name(enum aw_role r);
enum aw_role aw_role_parse(const char *s);	/* AW_ROLE_NONE when unknown */

struct aw_user {
	char *name;
	enum aw_role role;	/* the highest of its roles */
	char **dmas;		/* NULL: every DMA */
	size_t ndmas;
};

struct aw_users {
	struct aw_user *u;
	size_t n;
	int configured;		/* the config has a users list (then it decides) */
	char **approvers;	/* the older approvers list, used without users */
	size_t napprovers;
};

/* Reads users (and approvers). Unknown roles, duplicate or nameless users are reported
 * with file:line; returns 0 or -1. */
int aw_users_load(struct aw_users *u, const struct aw_config *c);
void aw_users_free(struct aw_users *u);
/* the role of a configured user (AW_ROLE_NONE when not one) */
enum aw_role aw_users_role(const struct aw_users *u, const char *name);
/* May name act with role need on dma (NULL: an object of no DMA, which needs the role
 * for every DMA)? 1 yes; 0 no, with the reason in why[n]. Without a users list every
 * name may do anything except approve and reject, which the approvers list (when there is
 * one) restricts: need == AW_ROLE_APPROVER checks it. */
int aw_users_may(const struct aw_users *u, const char *name, enum aw_role need, const char *dma,
    char *why, size_t n);
#endif
