"""The accounts of the web app: ``jiancha users add|list|role|password|token|remove``."""

from __future__ import annotations

import argparse
import getpass
import sys

from pipeline.commands.common import SubParsers, UsageError
from pipeline.settings import Settings


def _password(args: argparse.Namespace) -> str:
    """The new password: one line of standard input with --password-stdin, else asked twice."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise UsageError("the two passwords differ; nothing was changed")
    return first


def cmd_users(settings: Settings, args: argparse.Namespace) -> int:
    from webapp.accounts import AccountError, AccountStore, accounts_path

    store = AccountStore(accounts_path(settings.data_dir))
    try:
        if args.action == "list":
            for user in store.users():
                print(f"{user.name}\t{user.role}")
        elif args.action == "add":
            role = "admin" if args.admin else args.role
            user = store.add_user(args.name, _password(args), role)
            print(f"jiancha: user {user.name} added with role {user.role}")
        elif args.action == "role":
            user = store.set_role(args.name, args.role)
            print(f"jiancha: {user.name} is now {user.role}")
        elif args.action == "password":
            store.set_password(args.name, _password(args))
            print(f"jiancha: password of {args.name} changed")
        elif args.action == "token":
            token = store.create_token(args.name, args.label or "")
            print(token)
            print("jiancha: shown once; send it as `Authorization: Bearer <token>`", file=sys.stderr)
        elif args.action == "remove":
            store.remove(args.name)
            print(f"jiancha: user {args.name} removed, with their tokens")
    except AccountError as error:
        raise UsageError(str(error)) from error
    finally:
        store.close()
    return 0


def register(sub: SubParsers) -> None:
    users = sub.add_parser("users", help="accounts of the web app (viewer, editor, admin)")
    actions = users.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a user (the password is asked for)")
    add.add_argument("name")
    chosen = add.add_mutually_exclusive_group()
    chosen.add_argument("--admin", action="store_true", help="the admin role (users, sites, dead letters)")
    chosen.add_argument("--role", choices=["viewer", "editor", "admin"], default="viewer")
    actions.add_parser("list", help="every user and their role")
    role = actions.add_parser("role", help="change a user's role")
    role.add_argument("name")
    role.add_argument("role", choices=["viewer", "editor", "admin"])
    password = actions.add_parser("password", help="set a user's password")
    password.add_argument("name")
    token = actions.add_parser("token", help="create an API token for scripts (printed once)")
    token.add_argument("name")
    token.add_argument("--label", help="what the token is for")
    remove = actions.add_parser("remove", help="remove a user and their tokens")
    remove.add_argument("name")
    for parser in (add, password):
        parser.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    users.set_defaults(func=cmd_users)
