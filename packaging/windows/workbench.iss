; Inno Setup 6 script: a per-user installer for the PyInstaller folder dist\ml-workbench.
; packaging\build.py runs it when ISCC.exe is found, passing the defines below; by hand:
;   iscc /DAppVersion=0.1.0 /DSourceDir=..\..\dist\ml-workbench /DOutputDir=..\..\dist ^
;        /DIconFile=..\..\build\packaging\icons\workbench.ico packaging\windows\workbench.iss
; NOT YET TRIED: written on Linux, where Inno Setup does not run (see packaging\README.md).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\ml-workbench"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#ifndef IconFile
  #define IconFile "..\..\build\packaging\icons\workbench.ico"
#endif

[Setup]
; A fixed AppId: upgrades replace the previous version instead of installing beside it.
AppId={{6F1B8C52-3D47-4C1E-9A5B-0E2D7F4A9C31}
AppName=ML Workbench
AppVersion={#AppVersion}
AppPublisher=ML Workbench
DefaultDirName={autopf}\ML Workbench
DefaultGroupName=ML Workbench
DisableProgramGroupPage=yes
; Per-user by default (analysts rarely have admin rights); the dialog offers all users.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=ml-workbench-{#AppVersion}-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\workbench.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\ML Workbench"; Filename: "{app}\workbench.exe"
Name: "{group}\{cm:UninstallProgram,ML Workbench}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\ML Workbench"; Filename: "{app}\workbench.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\workbench.exe"; Description: "{cm:LaunchProgram,ML Workbench}"; Flags: nowait postinstall skipifsilent
