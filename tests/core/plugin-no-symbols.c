/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A shared object that is not a Sluice plug-in. */
int sluice_test_not_a_plugin (void);

int
sluice_test_not_a_plugin (void)
{
  return 42;
}
