/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* version.h - the version tcpstate reports (as dkms.conf's PACKAGE_VERSION). */
#ifndef __TCPSTATE_VERSION_H
#define __TCPSTATE_VERSION_H

#ifndef TCPSTATE_VERSION
#define TCPSTATE_VERSION	"1.0"
#endif

#endif /* __TCPSTATE_VERSION_H */
